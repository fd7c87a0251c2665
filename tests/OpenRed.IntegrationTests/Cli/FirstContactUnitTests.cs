using OpenRed.Cli.Logging;
using OpenRed.Cli.Rendering;
using OpenRed.Cli.Repl;
using OpenRed.Cli.Startup;
using Serilog.Events;

namespace OpenRed.IntegrationTests.Cli;

/// <summary>History cap, table layout at 80 columns, flag messages, word splitting and log sanitising.</summary>
public sealed class FirstContactUnitTests
{
    private static readonly Dictionary<string, string?> Env = new() { ["HOME"] = "/home/u", ["XDG_DATA_HOME"] = null };

    [Fact]
    public void History_OverlongLine_NotKeptNorWritten()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("history");
        var history = new History(path);

        history.Add("status");
        history.Add(new string('x', 1 << 20));
        history.Add("help");

        history.Entries.Should().Equal("status", "help");
        File.ReadAllLines(path).Should().Equal("status", "help");
    }

    [Fact]
    public void History_OverlongLineInFile_SkippedOnLoad()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("history");
        File.WriteAllLines(path, ["status", new string('x', History.MaxLineLength + 1), "help"]);

        new History(path).Entries.Should().Equal("status", "help");
    }

    [Fact]
    public void Status_At80Columns_LabelsWhole_LongValuesWrapInTheirColumn()
    {
        var console = Consoles.Create(new StringWriter(), plain: true);
        console.Profile.Width = 80;
        var values = new LabelledValues()
            .Add("node-id", "alice")
            .Add("data dir", "/home/someone/.local/share/openred/alice/with/a/rather/deep/path/that/does/not/fit/anywhere")
            .Add("sessions", "2")
            .Add("lighthouse", "failed, no discovery: cannot listen on UDP port 7982 or join 239.255.79.82 on 192.0.2.1: Cannot assign requested address");

        var lines = values.Render(console).TrimEnd('\n').Split('\n');

        lines.Should().OnlyContain(l => l.Length < 80);
        lines.Should().Contain("sessions    2");
        lines.Should().Contain(l => l.StartsWith("lighthouse  failed, no discovery:", StringComparison.Ordinal));
        lines.Where(l => !l.StartsWith("node-id", StringComparison.Ordinal) && !l.StartsWith("data dir", StringComparison.Ordinal)
                && !l.StartsWith("sessions", StringComparison.Ordinal) && !l.StartsWith("lighthouse", StringComparison.Ordinal))
            .Should().NotBeEmpty().And.OnlyContain(l => l.StartsWith(new string(' ', 12), StringComparison.Ordinal), "continuations stay in the value column");
        string.Concat(lines.Select(l => l[12..])).Should().Contain("Cannot assign");
    }

    [Fact]
    public void Links_At80Columns_FitsWithoutTerminalWrap_FingerprintsAndHeadersWhole()
    {
        var console = Consoles.Create(new StringWriter(), plain: true);
        console.Profile.Width = 80;
        var table = new TextColumns("node-id", "fingerprint", "address", "first seen", "last seen", "session", "")
            .Add(false, "bob", "e8e095607f92ec64", "127.0.0.1:8082", "2025-03-01 14:02:11", "2025-03-01 14:09:40", "connected", "")
            .Add(false, "carol", "33b305058a2265cf", "10.0.0.3:8083", "2025-03-01 14:02:11", "2025-03-01 14:09:40", "-", "");

        var lines = table.Render(console).TrimEnd('\n').Split('\n');

        lines.Should().OnlyContain(l => l.Length < 80, string.Join('\n', lines));
        lines[0].Should().MatchRegex("^node-id +fingerprint +address +first seen +last seen +session$");
        lines[1].Should().MatchRegex("^bob +e8e095607f92ec64 +127.0.0.1:8082 +2025-03-01 +2025-03-01 +connected$");
        lines[2].Should().MatchRegex("^ +14:02:11 +14:09:40$", "the times wrap inside their own columns");
    }

    [Fact]
    public void Links_At80Columns_WithWarning_StillFits_HeadersWhole()
    {
        var console = Consoles.Create(new StringWriter(), plain: true);
        console.Profile.Width = 80;
        var table = new TextColumns("node-id", "fingerprint", "address", "first seen", "last seen", "session", "")
            .Add(true, "bob", "e8e095607f92ec64", "[fd00::1234:5678]:8082", "2025-03-01 14:02:11", "2025-03-01 14:09:40", "connected",
                "node-id shared with another fingerprint");

        var lines = table.Render(console).TrimEnd('\n').Split('\n');

        lines.Should().OnlyContain(l => l.Length < 80, string.Join('\n', lines));
        lines[0].Should().MatchRegex("^node-id +fingerprint +address +first seen +last seen +session$");
    }

    [Fact]
    public void TextColumns_PeerTextWithEscapes_ShownVisibly()
    {
        var console = Consoles.Create(new StringWriter(), plain: true);

        var text = new TextColumns("node-id", "reason").Add(false, "m\u001b[2Jallory", "bye\nforged line").Render(console);

        text.Should().Contain("m\\x1b[2Jallory").And.Contain("bye\\x0aforged line").And.NotContain("\u001b");
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(2);
    }

    [Fact]
    public void PhoenixFlags_TakeEffect_NoLongerWarn()
    {
        var flags = new StartupFlags(() => "host", k => Env.GetValueOrDefault(k));

        var none = flags.Parse([]);
        var all = flags.Parse(["--auto-resurrect", "urn_image_001", "--auto-resurrect", "b", "--replicas", "3", "--cache-size", "2G"]);

        InertFlags.Warnings(flags, none).Should().BeEmpty();
        InertFlags.Warnings(flags, all).Should().BeEmpty();
    }

    [Fact]
    public void NoPeerExchange_SetsUnlisted()
    {
        var flags = new StartupFlags(() => "host", k => Env.GetValueOrDefault(k));

        flags.ToOptions(flags.Parse(["--no-peer-exchange"])).Node.Unlisted.Should().BeTrue();
        flags.ToOptions(flags.Parse([])).Node.Unlisted.Should().BeFalse();
    }

    [Theory]
    [InlineData("-1", "-1 is not in 1–65535 (or 0 for a free port)")]
    [InlineData("08080", "'08080' has a leading zero; write 8080")]
    [InlineData("00", "'00' has a leading zero; write 0")]
    [InlineData("99999999999", "99999999999 is not in 1–65535 (or 0 for a free port)")]
    [InlineData("+80", "'+80' is not a whole number")]
    public void Port_NegativeLeadingZeroOverflow_ClearMessages(string text, string expected)
    {
        FlagValues.Port(text, out var error).Should().BeNull();
        error.Should().Be(expected);
    }

    [Fact]
    public void ParseErrorLine_EchoesTokenVisiblyAndCapped()
    {
        var flags = new StartupFlags(() => "host", k => Env.GetValueOrDefault(k));

        var line = ParseErrorLine.Format(flags.Parse(["\u001b[2J" + new string('x', 5000)]));

        line.Should().StartWith("unexpected argument '\\x1b[2Jxxx").And.EndWith("…'").And.NotContain("\u001b");
        line.Length.Should().BeLessThan(250);
    }

    [Theory]
    [InlineData("''", new[] { "" })]
    [InlineData("'a b' \"c d\" e", new[] { "a b", "c d", "e" })]
    [InlineData("it's fine", new[] { "it's", "fine" })]
    [InlineData("  x  ", new[] { "x" })]
    public void Split_QuotesLikeAShell(string line, string[] expected) => ReplLine.Split(line).Should().Equal(expected);

    [Fact]
    public void LogFile_PropertyWithEscapesAndNewline_StaysOneVisibleLine()
    {
        using var dir = new TempDirectory();
        using (var serilog = LogSetup.Create(dir.Path, LogEventLevel.Information))
        {
            serilog.Information("Peer {NodeId} said goodbye: {Reason}", "m\u001b]0;x\u0007", "bye\n2025-01-01 [ERR] forged");
        }

        var lines = File.ReadAllLines(Directory.EnumerateFiles(dir.Path, "openred-*.log").Single());

        lines.Should().ContainSingle().Which.Should().Contain("m\\x1b]0;x\\x07").And.Contain("bye\\x0a2025-01-01 [ERR] forged");
        lines[0].Should().NotContain("\u001b");
    }
}
