using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OpenRed.IntegrationTests.Cli;

/// <summary>The prompt on a real pseudo-terminal: Ctrl+C during a command, and what the terminal is shown.</summary>
public sealed class TerminalProcessTests
{
    [Fact]
    public async Task CtrlC_DuringConnectToSilentListener_InterruptsAtOnce_DropsTypeAhead_SecondQuits()
    {
        using var dir = new TempDirectory();
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var node = TerminalProcess.Start("--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n"));
        await node.WaitForScreenAsync("OpenRed-P2P> ");

        var accepted = silent.AcceptTcpClientAsync();
        await node.TypeAsync($"connect 127.0.0.1:{port}\r");
        using var client = await accepted.WaitAsync(TimeSpan.FromSeconds(20));

        // The handshake now waits for a peer that never speaks (10 s); keys typed meanwhile, then Ctrl+C.
        await node.TypeAsync("stat");
        var pressed = Stopwatch.StartNew();
        await node.TypeAsync("\u0003");
        var line = await node.WaitForStderrAsync(l => l.Contains("interrupted", StringComparison.Ordinal), TimeSpan.FromSeconds(8));

        pressed.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "Ctrl+C cancels the command instead of waiting out the handshake");
        line.Should().Be("openred: connect: interrupted");

        // "stat" was dropped: "us" alone is an unknown command, not the rest of "status".
        await node.WaitForScreenAsync("OpenRed-P2P> ", times: 2);
        await node.TypeAsync("us\r");
        await node.WaitForStderrAsync(l => l.StartsWith("openred: unknown command 'us'", StringComparison.Ordinal));
        node.Screen.Should().NotContain("fingerprint", "status did not run");

        await node.TypeAsync("\u0003\u0003");
        (await node.WaitForExitAsync()).Should().Be(0, node.Describe());
    }

    [Fact]
    public async Task TypedBidiOverride_EchoedVisibly_LongLineNotKeptInHistory()
    {
        using var dir = new TempDirectory();
        await using var node = TerminalProcess.Start("--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n"));
        await node.WaitForScreenAsync("OpenRed-P2P> ");

        await node.TypeAsync("\u202eevil\r");
        var line = await node.WaitForStderrAsync(l => l.StartsWith("openred: unknown command", StringComparison.Ordinal));
        line.Should().StartWith("openred: unknown command '\\u202eevil'").And.NotContain("\u202e");

        await node.TypeAsync(new string('x', 3000) + "\r");
        var echo = await node.WaitForStderrAsync(l => l.StartsWith("openred: unknown command 'xxx", StringComparison.Ordinal));
        echo.Length.Should().BeLessThan(300, "an echoed argument is capped");
        await node.TypeAsync("quit\r");
        (await node.WaitForExitAsync()).Should().Be(0, node.Describe());

        var history = await File.ReadAllLinesAsync(Path.Combine(dir.Sub("n"), "history"));
        history.Should().Equal("\u202eevil", "quit");
    }
}
