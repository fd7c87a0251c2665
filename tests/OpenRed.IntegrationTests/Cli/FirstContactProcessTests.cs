namespace OpenRed.IntegrationTests.Cli;

/// <summary>What a first-time user meets: flags and commands that are not there yet, hostile or huge input, odd arguments.</summary>
public sealed class FirstContactProcessTests
{
    [Fact]
    public async Task ControlCharactersAndHugeLines_EchoedVisiblyAndCapped_OneLineEach()
    {
        using var dir = new TempDirectory();
        var huge = new string('a', 1 << 20);

        var run = await OpenRedProcess.RunAsync(
            ["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n")],
            "\u001b[2J\u001b]0;pwned\u0007\n\0status\nstatus --json\u001b[31m\n" + huge + "\nconnect " + huge + ":1\nquit\n");

        run.ExitCode.Should().Be(0, run.ToString());
        run.StderrLines.Should().HaveCount(5, run.ToString());
        run.StderrLines[0].Should().Be("openred: unknown command '\\x1b[2J\\x1b]0;pwned\\x07'; type 'help' for the list");
        run.StderrLines[1].Should().StartWith("openred: unknown command '\\x00status'");
        run.StderrLines[2].Should().StartWith("openred: status: unknown option '--json\\x1b[31m'");
        run.StderrLines[3].Should().StartWith("openred: unknown command 'aaaa").And.Contain("…'");
        run.StderrLines[4].Should().StartWith("openred: connect: 'aaaa").And.Contain("…'");
        foreach (var line in run.StderrLines)
        {
            // connect quotes the argument and the host: two echoes of at most 200 characters each.
            line.Length.Should().BeLessThan(500);
            line.Should().NotContainAny("\u001b", "\0", "\u0007");
        }
    }

    [Fact]
    public async Task PhoenixFlags_Given_NoWarnings()
    {
        using var dir = new TempDirectory();

        var given = await OpenRedProcess.RunAsync(
            ["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("a"), "--auto-resurrect", "urn_image_001", "--replicas", "3", "--cache-size", "1G"],
            "quit\n");
        var silent = await OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("b")], "quit\n");

        given.ExitCode.Should().Be(0, given.ToString());
        given.StderrLines.Should().BeEmpty(given.ToString());
        silent.StderrLines.Should().BeEmpty(silent.ToString());
    }

    [Fact]
    public async Task Resurrect_NothingAnywhere_SaysWhatWasTried_DisconnectEmptyName_SaysWhatToGive()
    {
        using var dir = new TempDirectory();

        var run = await OpenRedProcess.RunAsync(
            ["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n")],
            "resurrect urn_image_001 --timeout 1\ndisconnect ''\nquit\n");

        run.ExitCode.Should().Be(0, run.ToString());
        run.StderrLines.Should().HaveCount(2, run.ToString());
        run.StderrLines[0].Should().StartWith("openred: resurrect: urn_image_001: not found within 1 s: cache: not held; network:");
        run.StderrLines[1].Should().Be("openred: disconnect: name the peer: its node-id, or a prefix of its fingerprint (8+ hex digits)");
    }

    [Theory]
    [InlineData("--port: -1 is not in 1–65535 (or 0 for a free port)", "--port", "-1")]
    [InlineData("--port: '08080' has a leading zero; write 8080", "--port", "08080")]
    public async Task BadPort_OneClearLine_Exit2(string expected, params string[] args)
    {
        using var dir = new TempDirectory();

        var run = await OpenRedProcess.RunAsync(["--data-dir", dir.Sub("node"), .. args]);

        run.ExitCode.Should().Be(2, run.ToString());
        run.StderrLines.Should().Equal("openred: " + expected, "Try 'openred --help'.");
    }

    [Fact]
    public async Task Help_ListsNoPeerExchange()
    {
        var run = await OpenRedProcess.RunAsync(["--help"]);

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("--no-peer-exchange");
    }
}
