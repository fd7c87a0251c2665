namespace OpenRed.IntegrationTests.Cli;

public sealed class SignalProcessTests
{
    [Fact]
    public async Task Sigterm_Daemon_ShutsDownCleanly_ExitsZero_ReleasesLock()
    {
        using var dir = new TempDirectory();
        await using var node = await OpenRedProcess.StartNodeAsync(dir.Sub("n"), "--daemon");

        node.Signal("TERM");
        var code = await node.WaitForExitAsync();

        code.Should().Be(0, node.Describe());
        node.StderrLines.Should().BeEmpty();
        var again = await OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n")], "status --json\n");
        again.ExitCode.Should().Be(0, "the lock is released: " + again);
    }

    [Fact]
    public async Task Daemon_EndOfInput_KeepsRunning()
    {
        using var dir = new TempDirectory();
        await using var node = await OpenRedProcess.StartNodeAsync(dir.Sub("n"), "--daemon");

        node.CloseInput();
        var second = await OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n")], "");

        second.ExitCode.Should().Be(1, "the daemon still holds its data directory: " + second);
        node.HasExited.Should().BeFalse();
        node.Signal("TERM");
        (await node.WaitForExitAsync()).Should().Be(0, node.Describe());
    }

    [Fact]
    public async Task KilledNode_RestartsWithoutHelp()
    {
        using var dir = new TempDirectory();
        await using (var node = await OpenRedProcess.StartNodeAsync(dir.Sub("n"), "--daemon"))
        {
            node.Signal("KILL");
            await node.WaitForExitAsync();
        }

        var again = await OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n")], "status --json\n");

        again.ExitCode.Should().Be(0, again.ToString());
    }
}
