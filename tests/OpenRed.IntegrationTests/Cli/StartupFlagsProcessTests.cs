namespace OpenRed.IntegrationTests.Cli;

public sealed class StartupFlagsProcessTests
{
    private static readonly string[] EveryFlag =
    [
        "--node-id", "--port", "--listen", "--sector", "--data-dir", "--auto-resurrect", "--bootstrap", "--lighthouse-group",
        "--lighthouse-port", "--interface", "--beacon-interval", "--no-lighthouse", "--replicas", "--cache-size", "--max-peers",
        "--log-level", "--daemon", "--version", "--help",
    ];

    [Fact]
    public async Task Help_ExitsZero_ListsEveryFlag()
    {
        var run = await OpenRedProcess.RunAsync(["--help"]);

        run.ExitCode.Should().Be(0, run.ToString());
        foreach (var flag in EveryFlag)
        {
            run.Stdout.Should().Contain(flag);
        }

        run.StderrLines.Should().BeEmpty();
    }

    [Fact]
    public async Task Version_ExitsZero_PrintsVersion()
    {
        var run = await OpenRedProcess.RunAsync(["--version"]);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().MatchRegex(@"^\d+\.\d+\.\d+");
    }

    [Theory]
    [InlineData("--port: 70000 is not in 1–65535", "--port", "70000")]
    [InlineData("--port: 'abc' is not a whole number", "--port", "abc")]
    [InlineData("--sector: 'BAD!' is not a valid sector", "--sector", "BAD!")]
    [InlineData("--node-id: '-x' is not a valid node-id", "--node-id", "-x")]
    [InlineData("unknown option '--prot'; did you mean '--port'?", "--prot", "9")]
    [InlineData("--cache-size: '12Q' is not a size", "--cache-size", "12Q")]
    [InlineData("--replicas: 17 is not in 1–16", "--replicas", "17")]
    [InlineData("--beacon-interval: 0 is not in 1–3600", "--beacon-interval", "0")]
    [InlineData("--max-peers: 2000 is not in 8–1024", "--max-peers", "2000")]
    [InlineData("--bootstrap: 'nohost' is not host:port", "--bootstrap", "nohost")]
    [InlineData("--log-level: 'loud' is not one of", "--log-level", "loud")]
    [InlineData("--port: needs a value", "--port")]
    [InlineData("unexpected argument '@args.txt'", "@args.txt")]
    public async Task BadFlag_OneErrorLineAndHint_Exit2(string expected, params string[] args)
    {
        using var dir = new TempDirectory();

        var run = await OpenRedProcess.RunAsync(["--data-dir", dir.Sub("node"), .. args]);

        run.ExitCode.Should().Be(2, run.ToString());
        run.StderrLines.Should().HaveCount(2, run.ToString());
        run.StderrLines[0].Should().StartWith("openred: ").And.Contain(expected);
        run.StderrLines[1].Should().Be("Try 'openred --help'.");
        run.StdoutLines.Should().BeEmpty("no help dump on a usage error");
        Directory.Exists(dir.Sub("node")).Should().BeFalse("nothing starts on a usage error");
    }

    [Fact]
    public async Task FlagsForLaterSubsystems_AreAccepted()
    {
        using var dir = new TempDirectory();

        var run = await OpenRedProcess.RunAsync(
            [
                "--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("node"), "--node-id", "alice", "--sector", "family",
                "--bootstrap", "127.0.0.1:9", "--bootstrap", "example.org:8080", "--bootstrap", "[::1]:8080",
                "--auto-resurrect", "URN_Image_001", "--lighthouse-group", "239.1.2.3", "--lighthouse-port", "7000",
                "--interface", "127.0.0.1", "--beacon-interval", "5", "--replicas", "5", "--cache-size", "500M",
                "--max-peers", "16", "--log-level", "debug", "--listen", "127.0.0.1",
            ],
            "status --json\n");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("\"node_id\":\"alice\"").And.Contain("\"sector\":\"family\"").And.Contain("\"listen_address\":\"127.0.0.1\"");
    }
}
