using System.Net;
using OpenRed.Cli.Startup;
using OpenRed.Core;
using Serilog.Events;

namespace OpenRed.IntegrationTests.Cli;

public sealed class StartupFlagsTests
{
    private static readonly Dictionary<string, string?> Env = new() { ["HOME"] = "/home/u", ["XDG_DATA_HOME"] = null };

    private static StartupFlags Flags(string host = "My Host!.local") => new(() => host, k => Env.GetValueOrDefault(k));

    [Fact]
    public void Defaults_FromHostNameAndHome()
    {
        var flags = Flags();
        var parse = flags.Parse([]);

        parse.Errors.Should().BeEmpty();
        var o = flags.ToOptions(parse);
        o.Node.NodeId.Should().Be("MyHost.local");
        o.Node.Sector.Should().Be("general");
        o.Node.DataDirectory.Should().Be("/home/u/.local/share/openred/MyHost.local");
        o.Node.Port.Should().Be(8080);
        o.Node.ListenAddress.Should().BeNull();
        o.Node.LighthouseEnabled.Should().BeTrue();
        o.Node.LighthouseGroup.Should().Be(IPAddress.Parse("239.255.79.82"));
        o.Node.LighthousePort.Should().Be(7982);
        o.Node.BeaconInterval.Should().Be(TimeSpan.FromSeconds(30));
        o.Node.Replicas.Should().Be(3);
        o.Node.CacheSizeBytes.Should().Be(1L << 30);
        o.Node.MaxPeers.Should().Be(64);
        o.Daemon.Should().BeFalse();
        o.LogLevel.Should().Be(LogEventLevel.Information);
    }

    [Fact]
    public void EveryFlag_IsStored()
    {
        var flags = Flags();
        var parse = flags.Parse(
        [
            "--node-id", "alice", "--sector", "family", "--data-dir", "/data/a", "--port", "0", "--listen", "::1",
            "--bootstrap", "a.example:1", "--bootstrap", "10.0.0.2:2", "--auto-resurrect", "X", "--auto-resurrect", "y@0123abcd",
            "--lighthouse-group", "239.0.0.9", "--lighthouse-port", "9000", "--interface", "192.168.1.5", "--beacon-interval", "7",
            "--no-lighthouse", "--replicas", "16", "--cache-size", "2G", "--max-peers", "8", "--log-level", "DEBUG", "--daemon",
        ]);

        parse.Errors.Should().BeEmpty();
        var o = flags.ToOptions(parse);
        o.Node.Should().BeEquivalentTo(new
        {
            NodeId = "alice",
            Sector = "family",
            DataDirectory = "/data/a",
            Port = 0,
            ListenAddress = IPAddress.IPv6Loopback,
            AutoResurrect = new[] { "x", "y@0123abcd" },
            LighthouseEnabled = false,
            LighthouseGroup = IPAddress.Parse("239.0.0.9"),
            LighthousePort = 9000,
            LighthouseInterface = IPAddress.Parse("192.168.1.5"),
            BeaconInterval = TimeSpan.FromSeconds(7),
            Replicas = 16,
            CacheSizeBytes = 2L << 30,
            MaxPeers = 8,
        });
        o.Node.Bootstrap.Select(b => $"{b.Host}:{b.Port}").Should().Equal("a.example:1", "10.0.0.2:2");
        o.Daemon.Should().BeTrue();
        o.LogLevel.Should().Be(LogEventLevel.Debug);
    }

    [Theory]
    [InlineData("--port: 70000 is not in 1–65535", "--port", "70000")]
    [InlineData("--port: needs a value", "--port")]
    [InlineData("--port: given more than once", "--port", "1", "--port", "2")]
    [InlineData("unknown option '--prot'; did you mean '--port'?", "--prot", "1")]
    [InlineData("unknown option '--frobnicate'", "--frobnicate")]
    [InlineData("unexpected argument 'status'", "status")]
    [InlineData("--version cannot be combined with other options", "--daemon", "--version")]
    [InlineData("--interface: 'fe80::1' is not an IPv4 address", "--interface", "fe80::1")]
    public void Errors_OneLineNamingTheFlag(string expected, params string[] args)
    {
        var parse = Flags().Parse(args);

        parse.Errors.Should().NotBeEmpty();
        var line = ParseErrorLine.Format(parse);
        line.Should().StartWith(expected);
        line.Should().NotContain("\n");
    }

    [Fact]
    public void ResponseFiles_AreOff()
    {
        var parse = Flags().Parse(["--node-id", "@alice"]);

        ParseErrorLine.Format(parse).Should().Contain("--node-id: '@alice'");
    }
}
