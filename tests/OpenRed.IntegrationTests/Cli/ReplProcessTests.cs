using System.Text.Json;

namespace OpenRed.IntegrationTests.Cli;

public sealed class ReplProcessTests
{
    [Fact]
    public async Task PipedStatusJson_PrintsOneJsonLine_ExitsZero()
    {
        using var dir = new TempDirectory();

        var run = await OpenRedProcess.RunAsync(
            ["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n"), "--node-id", "alice", "--sector", "family"],
            "status --json\nquit\n");

        run.ExitCode.Should().Be(0, run.ToString());
        run.StdoutLines.Should().ContainSingle(run.ToString());
        using var doc = JsonDocument.Parse(run.StdoutLines[0]);
        var s = doc.RootElement;
        s.GetProperty("node_id").GetString().Should().Be("alice");
        s.GetProperty("sector").GetString().Should().Be("family");
        s.GetProperty("fingerprint").GetString().Should().MatchRegex("^[0-9a-f]{64}$");
        s.GetProperty("tcp_port").GetInt32().Should().BeInRange(1, 65535);
        s.GetProperty("data_dir").GetString().Should().Be(dir.Sub("n"));
        s.GetProperty("started_at_ms").GetInt64().Should().BeCloseTo(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 60_000);
        s.GetProperty("sessions").GetInt32().Should().Be(0);
        run.StderrLines.Should().BeEmpty();
    }

    [Fact]
    public async Task Status_PlainText_ShowsShortFingerprintAndPort_NoPromptNoColours()
    {
        using var dir = new TempDirectory();

        var run = await OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n"), "--node-id", "bob"], "status\n");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().MatchRegex(@"(?m)^node-id\s+bob$").And.MatchRegex(@"(?m)^fingerprint\s+[0-9a-f]{16}$")
            .And.MatchRegex(@"(?m)^tcp port\s+\d+$").And.MatchRegex(@"(?m)^sector\s+general$");
        run.Stdout.Should().NotContain("OpenRed-P2P>").And.NotContain("\u001b[");
    }

    [Fact]
    public async Task Restart_SameDataDirectory_SameFingerprint_KeyFileMode0600()
    {
        using var dir = new TempDirectory();
        string[] args = ["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n")];

        var first = await OpenRedProcess.RunAsync(args, "status --json\n");
        var second = await OpenRedProcess.RunAsync(args, "status --json\n");

        first.ExitCode.Should().Be(0, first.ToString());
        second.ExitCode.Should().Be(0, second.ToString());
        Fingerprint(first).Should().Be(Fingerprint(second));
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(Path.Combine(dir.Sub("n"), "identity.pem")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Exists(Path.Combine(dir.Sub("n"), "openred.db")).Should().BeTrue();
        Directory.EnumerateFiles(Path.Combine(dir.Sub("n"), "logs"), "openred-*.log").Should().NotBeEmpty();
    }

    [Fact]
    public async Task UnknownCommand_SuggestsNearest_ScriptContinues_ExitsZero()
    {
        using var dir = new TempDirectory();

        var run = await OpenRedProcess.RunAsync(
            ["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n")],
            "staus\nstatus --jsn\nstatus --json\nquit\nstatus --json\n");

        run.ExitCode.Should().Be(0, run.ToString());
        run.StderrLines.Should().Equal(
            "openred: unknown command 'staus'; did you mean 'status'?",
            "openred: status: unknown option '--jsn'; did you mean '--json'?");
        run.StdoutLines.Should().ContainSingle("commands after quit do not run").Which.Should().StartWith("{");
    }

    [Fact]
    public async Task EndOfInput_Quits_ExitsZero()
    {
        using var dir = new TempDirectory();

        var run = await OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n")], "");

        run.ExitCode.Should().Be(0, run.ToString());
        run.StderrLines.Should().BeEmpty();
    }

    [Fact]
    public async Task Help_ListsCommands_AndExplainsOne()
    {
        using var dir = new TempDirectory();

        var run = await OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n")], "help\nhelp status\nquit --help\n");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().MatchRegex(@"(?m)^status\s").And.MatchRegex(@"(?m)^quit \(exit\)\s").And.MatchRegex(@"(?m)^help");
        run.Stdout.Should().Contain("status [options]").And.Contain("--json").And.Contain("quit [options]");
    }

    [Fact]
    public async Task DefaultDataDirectory_UsesXdgDataHomeAndNodeId()
    {
        using var dir = new TempDirectory();

        var run = await OpenRedProcess.RunAsync(
            ["--port", "0", "--no-lighthouse", "--node-id", "carol"],
            "status --json\n",
            environment: new Dictionary<string, string?> { ["XDG_DATA_HOME"] = dir.Path });

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain($"\"data_dir\":\"{Path.Combine(dir.Path, "openred", "carol")}\"");
        File.Exists(Path.Combine(dir.Path, "openred", "carol", "identity.pem")).Should().BeTrue();
    }

    private static string Fingerprint(OpenRedRun run)
    {
        using var doc = JsonDocument.Parse(run.StdoutLines.Single(l => l.StartsWith('{')));
        return doc.RootElement.GetProperty("fingerprint").GetString()!;
    }
}
