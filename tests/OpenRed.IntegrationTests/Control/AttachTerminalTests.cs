using System.Runtime.Versioning;
using OpenRed.IntegrationTests.Cli;
using OpenRed.IntegrationTests.Node;
using static OpenRed.IntegrationTests.Control.ControlProcess;

namespace OpenRed.IntegrationTests.Control;

/// <summary><c>openred attach</c> on a pseudo-terminal: the prompt of a running daemon, and leaving it.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class AttachTerminalTests
{
    private const string Prompt = "OpenRed-P2P> ";

    [Fact]
    public async Task Attach_CompletesRunsCommands_EventsAboveTheLine_DetachLeavesNodeUp()
    {
        using var dir = new TempDirectory();
        var alice = dir.Sub("alice");
        await using var daemon = await OpenRedProcess.StartNodeAsync(alice, "--node-id", "alice", "--daemon");
        await using var bob = await NodeCli.StartAsync(dir.Sub("bob"), "bob");
        var bobPort = (await bob.CommandJsonAsync("status")).GetProperty("tcp_port").GetInt32();
        await using var attach = TerminalProcess.Start("attach", "--data-dir", alice);
        await attach.WaitForScreenAsync("Attached to alice (");
        await attach.WaitForScreenAsync(Prompt);

        // Completion asks the node: "sta" becomes "status ".
        await attach.TypeAsync("sta\t");
        await attach.WaitForScreenAsync(Prompt + "status ");
        await attach.TypeAsync("\u0015");

        // Half a line typed, then a session opens (through ctl): the event is printed above, the line redrawn.
        await attach.TypeAsync("pee");
        await attach.WaitForScreenAsync(Prompt + "pee");
        (await CtlAsync(alice, $"connect 127.0.0.1:{bobPort}")).ExitCode.Should().Be(0);
        await attach.WaitForScreenAsync("+ session with bob (");
        await attach.WaitForScreenAsync(Prompt + "pee", times: 2);
        var screen = attach.Screen;
        screen.LastIndexOf(Prompt + "pee", StringComparison.Ordinal)
            .Should().BeGreaterThan(screen.IndexOf("+ session with bob (", StringComparison.Ordinal), "the line is redrawn below the event");

        // The rest of the word, Enter: the command runs on the node.
        await attach.TypeAsync("rs\r");
        await attach.WaitForScreenAsync("node-id");
        await attach.WaitForScreenAsync("outbound");
        await attach.TypeAsync("staus\r");
        await attach.WaitForStderrAsync(l => l == "openred: unknown command 'staus'; did you mean 'status'?");

        await attach.TypeAsync("detach\r");
        (await attach.WaitForExitAsync()).Should().Be(0, attach.Describe());
        daemon.HasExited.Should().BeFalse();
        (await CtlAsync(alice, "status")).ExitCode.Should().Be(0, "detach leaves the node running");
        File.ReadAllLines(Path.Combine(alice, "history")).Should().Contain("peers", "attach shares the node's prompt history");
    }

    [Fact]
    public async Task Attach_CtrlD_Detaches_ThenQuit_SaysSo_AndStopsTheNode()
    {
        using var dir = new TempDirectory();
        var alice = dir.Sub("alice");
        await using var daemon = await OpenRedProcess.StartNodeAsync(alice, "--node-id", "alice", "--daemon");

        await using (var first = TerminalProcess.Start("attach", "--data-dir", alice))
        {
            await first.WaitForScreenAsync(Prompt);
            await first.TypeAsync("\u0004");
            (await first.WaitForExitAsync()).Should().Be(0, first.Describe());
        }

        daemon.HasExited.Should().BeFalse("Ctrl+D detaches");
        await using var second = TerminalProcess.Start("attach", "--data-dir", alice);
        await second.WaitForScreenAsync(Prompt);
        await second.TypeAsync("quit\r");
        await second.WaitForScreenAsync("Stopping node alice");
        await second.WaitForScreenAsync("Node alice stopped.");
        (await second.WaitForExitAsync()).Should().Be(0, second.Describe());
        (await daemon.WaitForExitAsync()).Should().Be(0, daemon.Describe());
    }

    [Fact]
    public async Task Attach_NoNode_Exit3()
    {
        using var dir = new TempDirectory();

        var run = await OpenRedProcess.RunAsync(["attach", "--data-dir", dir.Sub("none")]);

        run.ExitCode.Should().Be(3, run.ToString());
        run.StderrLines.Should().Equal($"openred: no node runs at {dir.Sub("none")}: there is no such directory");
    }

    [Fact]
    public async Task Attach_NodeKilled_LeavesWithOneLine()
    {
        using var dir = new TempDirectory();
        var alice = dir.Sub("alice");
        await using var daemon = await OpenRedProcess.StartNodeAsync(alice, "--node-id", "alice", "--daemon");
        await using var attach = TerminalProcess.Start("attach", "--data-dir", alice);
        await attach.WaitForScreenAsync(Prompt);

        daemon.Signal("KILL");

        var line = await attach.WaitForStderrAsync(l => l.StartsWith("openred: the node at", StringComparison.Ordinal));
        line.Should().Be($"openred: the node at {alice} stopped; detached");
        (await attach.WaitForExitAsync()).Should().Be(1, attach.Describe());
    }
}
