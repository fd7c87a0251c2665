using System.Runtime.Versioning;
using System.Text.Json;
using OpenRed.IntegrationTests.Cli;
using OpenRed.IntegrationTests.Node;
using static OpenRed.IntegrationTests.Control.ControlProcess;

namespace OpenRed.IntegrationTests.Control;

/// <summary><c>openred ctl</c> against a daemon: the piped prompt's exact output, and the exit codes 0/1/2/3.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class CtlProcessTests
{
    [Fact]
    public async Task Ctl_EveryCommand_PrintsWhatThePipedPromptPrints()
    {
        using var dir = new TempDirectory();
        var alice = dir.Sub("alice");
        await using var daemon = await OpenRedProcess.StartNodeAsync(alice, "--node-id", "alice", "--daemon");
        await using var bob = await NodeCli.StartAsync(dir.Sub("bob"), "bob");
        var bobPort = (await bob.CommandJsonAsync("status")).GetProperty("tcp_port").GetInt32();
        var connect = $"connect 127.0.0.1:{bobPort}";

        // Each group leaves the node as it found it, so the prompt's run and ctl's see the same state.
        string[][] groups =
        [
            ["status"], ["status --json"], ["map"], ["map --json"], ["map --dot"], ["peers"], ["peers --json"],
            ["links"], ["links --json", "links --full"], ["help"], ["help connect"], ["status --help"],
            [connect, "disconnect bob"], [connect + " --json", "disconnect bob --json"],
        ];
        foreach (var group in groups)
        {
            var prompt = new List<(string Stdout, string Stderr)>();
            foreach (var line in group)
            {
                prompt.Add(await PromptAsync(daemon, line));
            }

            for (var i = 0; i < group.Length; i++)
            {
                var line = group[i];
                var ctl = await CtlAsync(alice, line);
                ctl.ExitCode.Should().Be(0, $"'{line}' succeeds\n{ctl}");
                Masked(Join(ctl.StdoutLines)).Should().Be(Masked(prompt[i].Stdout), $"ctl '{line}' prints what the prompt prints");
                ctl.StderrLines.Should().BeEmpty(line);
                prompt[i].Stderr.Should().BeEmpty(line);
            }
        }

        // With the session up, peers lists bob the same way in both.
        await CtlAsync(alice, connect);
        var peers = await CtlAsync(alice, "peers", "--json");
        JsonDocument.Parse(peers.Stdout).RootElement.GetProperty("sessions")[0].GetProperty("node_id").GetString().Should().Be("bob");
        Masked(Join((await CtlAsync(alice, "peers")).StdoutLines)).Should().Be(Masked((await PromptAsync(daemon, "peers")).Stdout));
    }

    [Theory]
    [InlineData(1, "resurrect", "x")]
    [InlineData(1, "connect 127.0.0.1:1")]
    [InlineData(1, "disconnect nobody")]
    [InlineData(1, "pin", "12345678")]
    [InlineData(2, "staus")]
    [InlineData(2, "status --bogus")]
    [InlineData(2, "connect")]
    public async Task Ctl_FailingCommand_ExitCodeAndStderrOfThePrompt(int code, params string[] words)
    {
        using var dir = new TempDirectory();
        await using var daemon = await OpenRedProcess.StartNodeAsync(dir.Sub("a"), "--daemon");
        var line = string.Join(' ', words);

        var ctl = await CtlAsync(dir.Sub("a"), words);
        var prompt = await PromptAsync(daemon, line, fails: true);

        ctl.ExitCode.Should().Be(code, ctl.ToString());
        ctl.StdoutLines.Should().BeEmpty();
        ctl.StderrLines.Should().ContainSingle().Which.Should().StartWith("openred: ");
        Masked(Join(ctl.StderrLines)).Should().Be(Masked(prompt.Stderr));
    }

    [Fact]
    public async Task Ctl_Usage_Exit2_OneLineAndHint()
    {
        using var dir = new TempDirectory();
        await using var daemon = await OpenRedProcess.StartNodeAsync(dir.Sub("a"), "--daemon");

        var none = await CtlAsync(dir.Sub("a"));
        var bogus = await OpenRedProcess.RunAsync(["ctl", "--bogus", "status"]);
        var twoLines = await CtlAsync(dir.Sub("a"), "status\nquit");
        var help = await OpenRedProcess.RunAsync(["ctl", "--help"]);

        none.ExitCode.Should().Be(2, none.ToString());
        none.StderrLines.Should().Equal("openred: ctl: name the prompt command to run, e.g. 'openred ctl status'", "Try 'openred ctl --help'.");
        bogus.ExitCode.Should().Be(2, bogus.ToString());
        bogus.StderrLines[0].Should().Be("openred: ctl: unknown option '--bogus'");
        twoLines.ExitCode.Should().Be(2, twoLines.ToString());
        twoLines.StderrLines.Should().ContainSingle().Which.Should().Contain("no line breaks");
        help.ExitCode.Should().Be(0);
        help.Stdout.Should().Contain("Usage: openred ctl").And.Contain("3 no node runs there");
        (await daemon.CommandJsonAsync("status")).GetProperty("sessions").GetInt32().Should().Be(0, "the node ran neither line");
    }

    [Fact]
    public async Task Ctl_NoNode_Exit3_SaysWhereItLooked()
    {
        using var dir = new TempDirectory();

        var missing = await CtlAsync(dir.Sub("nothing"), "status");
        var empty = await CtlAsync(dir.Path, "status");
        var byNodeId = await OpenRedProcess.RunAsync(
            ["ctl", "--node-id", "zed", "status"], environment: new Dictionary<string, string?> { ["XDG_DATA_HOME"] = dir.Path });

        missing.ExitCode.Should().Be(3, missing.ToString());
        missing.StderrLines.Should().Equal($"openred: no node runs at {dir.Sub("nothing")}: there is no such directory");
        empty.ExitCode.Should().Be(3, empty.ToString());
        empty.StderrLines.Should().Equal($"openred: no node runs at {dir.Path}: there is no control socket {Path.Combine(dir.Path, "control.sock")}");
        byNodeId.ExitCode.Should().Be(3, byNodeId.ToString());
        byNodeId.Stderr.Should().Contain(Path.Combine(dir.Path, "openred", "zed"), "--node-id picks the directory as the node does");
    }

    [Fact]
    public async Task Ctl_ByNodeId_FindsTheDaemonOfThatName()
    {
        using var dir = new TempDirectory();
        var env = new Dictionary<string, string?> { ["XDG_DATA_HOME"] = dir.Path };
        await using var daemon = OpenRedProcess.Start(["--node-id", "alice", "--port", "0", "--no-lighthouse", "--daemon"], env);
        await daemon.CommandJsonAsync("status");

        var run = await OpenRedProcess.RunAsync(["ctl", "--node-id", "alice", "status", "--json"], environment: env);

        run.ExitCode.Should().Be(0, run.ToString());
        JsonDocument.Parse(run.Stdout).RootElement.GetProperty("data_dir").GetString().Should().Be(Path.Combine(dir.Path, "openred", "alice"));
    }

    [Fact]
    public async Task Socket_OwnerOnly_InPrivateDirectory()
    {
        using var dir = new TempDirectory();
        await using var daemon = await OpenRedProcess.StartNodeAsync(dir.Sub("a"), "--daemon");

        var socket = Path.Combine(dir.Sub("a"), "control.sock");
        File.GetUnixFileMode(socket).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(dir.Sub("a")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    [Fact]
    public async Task Kill9_ThenCtl_Exit3_RestartReplacesStaleSocket()
    {
        using var dir = new TempDirectory();
        var a = dir.Sub("a");
        await using (var first = await OpenRedProcess.StartNodeAsync(a, "--daemon"))
        {
            first.Signal("KILL");
            await first.WaitForExitAsync();
        }

        File.Exists(Path.Combine(a, "control.sock")).Should().BeTrue("a killed node leaves its socket behind");
        var dead = await CtlAsync(a, "status");
        dead.ExitCode.Should().Be(3, dead.ToString());
        dead.StderrLines.Should().ContainSingle().Which.Should().Contain("nothing listens on " + Path.Combine(a, "control.sock"));

        await using var second = await OpenRedProcess.StartNodeAsync(a, "--daemon");
        var alive = await CtlAsync(a, "status", "--json");
        alive.ExitCode.Should().Be(0, alive.ToString());
        second.StderrLines.Should().BeEmpty();
    }

    [Fact]
    public async Task SecondNode_SameDirectory_FailsOnLock_FirstStillAnswers()
    {
        using var dir = new TempDirectory();
        await using var first = await OpenRedProcess.StartNodeAsync(dir.Sub("a"), "--daemon");

        var second = await OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("a"), "--daemon"]);
        var ctl = await CtlAsync(dir.Sub("a"), "status", "--json");

        second.ExitCode.Should().Be(1, second.ToString());
        second.Stderr.Should().Contain("in use by another openred process");
        ctl.ExitCode.Should().Be(0, "the second node did not touch the first one's socket\n" + ctl);
    }

    [Fact]
    public async Task CtlQuit_StopsTheDaemon_Exit0_SocketRemoved()
    {
        using var dir = new TempDirectory();
        await using var daemon = await OpenRedProcess.StartNodeAsync(dir.Sub("a"), "--daemon");

        var quit = await CtlAsync(dir.Sub("a"), "quit");

        quit.ExitCode.Should().Be(0, quit.ToString());
        quit.StdoutLines.Should().BeEmpty();
        (await daemon.WaitForExitAsync()).Should().Be(0, daemon.Describe());
        File.Exists(Path.Combine(dir.Sub("a"), "control.sock")).Should().BeFalse();
        (await CtlAsync(dir.Sub("a"), "status")).ExitCode.Should().Be(3);
    }
}
