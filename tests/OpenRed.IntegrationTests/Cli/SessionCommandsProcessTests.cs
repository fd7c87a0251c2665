using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace OpenRed.IntegrationTests.Cli;

/// <summary>The map, peers, links, connect and disconnect commands as a script sees them: bad input, shapes, text.</summary>
public sealed class SessionCommandsProcessTests
{
    [Fact]
    public async Task BadInputs_OneLineOnStderrEach_ScriptContinues_ExitsZero()
    {
        using var dir = new TempDirectory();
        var closed = ClosedPort();

        var run = await OpenRedProcess.RunAsync(
            ["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n")],
            $"connect nohost\nconnect 127.0.0.1:0\nconnect 127.0.0.1:99999\nconnect 127.0.0.1:{closed}\n"
            + "connect 127.0.0.1:5 --expect abc\ndisconnect nobody\nmap --bogus\nstatus --json\nquit\n");

        run.ExitCode.Should().Be(0, run.ToString());
        run.StderrLines.Should().HaveCount(7, run.ToString());
        run.StderrLines[0].Should().Be("openred: connect: 'nohost' is not host:port");
        run.StderrLines[1].Should().StartWith("openred: connect: '127.0.0.1:0': port");
        run.StderrLines[2].Should().StartWith("openred: connect: '127.0.0.1:99999': port");
        run.StderrLines[3].Should().StartWith($"openred: connect: 127.0.0.1:{closed}: connection refused");
        run.StderrLines[4].Should().StartWith("openred: connect: --expect:");
        run.StderrLines[5].Should().StartWith("openred: disconnect: no session with 'nobody'");
        run.StderrLines[6].Should().StartWith("openred: map: unknown option '--bogus'");
        run.Stderr.Should().NotContain("   at ", "no stack trace reaches the user");
        run.StdoutLines.Should().ContainSingle("only status printed").Which.Should().StartWith("{");
    }

    [Fact]
    public async Task StatusJson_WithoutLighthouse_HasCountersAndDisabledLighthouse()
    {
        using var dir = new TempDirectory();

        var run = await OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n")], "status --json\n");

        run.ExitCode.Should().Be(0, run.ToString());
        using var doc = JsonDocument.Parse(run.StdoutLines.Single());
        var s = doc.RootElement;
        foreach (var count in new[] { "sessions", "peers", "links", "handshakes_completed", "handshakes_failed", "connections_refused" })
        {
            s.GetProperty(count).GetInt64().Should().Be(0, count);
        }

        var l = s.GetProperty("lighthouse");
        l.GetProperty("state").GetString().Should().Be("disabled");
        l.GetProperty("group").GetString().Should().Be("239.255.79.82");
        l.GetProperty("port").GetInt32().Should().Be(7982);
        l.GetProperty("beacons_sent").GetInt64().Should().Be(0);
        l.GetProperty("dropped_total").GetInt64().Should().Be(0);
        l.GetProperty("dropped").EnumerateObject().Should().BeEmpty();
    }

    [Fact]
    public async Task LighthouseJoinFails_NodeRunsOn_SaysSoOnceOnStderrAndInStatus()
    {
        using var dir = new TempDirectory();

        // No interface has this address in the test's namespace (nor, as TEST-NET-1, on any sane host).
        var run = await OpenRedProcess.RunAsync(
            ["--port", "0", "--data-dir", dir.Sub("n"), "--interface", "192.0.2.1", "--lighthouse-port", Random.Shared.Next(20000, 32000).ToString(System.Globalization.CultureInfo.InvariantCulture)],
            "status --json\nstatus\nmap --json\n");

        run.ExitCode.Should().Be(0, run.ToString());
        run.StderrLines.Should().ContainSingle(run.ToString()).Which.Should().StartWith("openred: warning: Discovery is off:");
        using var doc = JsonDocument.Parse(run.StdoutLines[0]);
        var l = doc.RootElement.GetProperty("lighthouse");
        l.GetProperty("state").GetString().Should().Be("failed");
        l.GetProperty("message").GetString().Should().Contain("192.0.2.1");
        l.GetProperty("interface").GetString().Should().Be("192.0.2.1");
        run.Stdout.Should().MatchRegex(@"(?m)^lighthouse\s+failed, no discovery: ");
        run.StdoutLines[^1].Should().StartWith("{\"self\":").And.Contain("\"peers\":[]");
    }

    [Fact]
    public async Task MapText_MarksThisNode_DotIsAGraph()
    {
        using var dir = new TempDirectory();

        var run = await OpenRedProcess.RunAsync(
            ["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n"), "--node-id", "alice", "--sector", "family"],
            "map\nmap --dot\npeers\nlinks\n");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().MatchRegex(@"(?m)^\S+ family$").And.MatchRegex(@"(?m)\* alice\s+[0-9a-f]{16}\s+\*:\d+\s+this node$");
        run.Stdout.Should().Contain("graph openred {").And.Contain("subgraph \"cluster_family\"").And.Contain("shape=doublecircle");
        run.Stdout.Should().Contain("No sessions.").And.Contain("No links yet");
        run.StderrLines.Should().BeEmpty();
    }

    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
