using OpenRed.IntegrationTests.Cli;

namespace OpenRed.IntegrationTests.Node;

/// <summary>Issue 4 as a user sees it: connect, peers, links, disconnect, reconnect and the impersonation warning, between real processes.</summary>
public sealed class SessionProcessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Connect_ShowsSessionOnBothSides_DisconnectClosesBoth_LinksSurviveRestart()
    {
        using var dir = new TempDirectory();
        var a = await NodeCli.StartAsync(dir.Sub("a"), "alice");
        await using var _ = a;
        await using var b = await NodeCli.StartAsync(dir.Sub("b"), "bob");
        var fa = await NodeCli.FingerprintAsync(a);
        var fb = await NodeCli.FingerprintAsync(b);
        var portB = await NodeCli.TcpPortAsync(b);

        var connected = await a.CommandJsonAsync($"connect 127.0.0.1:{portB}");
        connected.GetProperty("connected").GetBoolean().Should().BeTrue();
        connected.GetProperty("node_id").GetString().Should().Be("bob");
        connected.GetProperty("fingerprint").GetString().Should().Be(fb);
        connected.GetProperty("address").GetString().Should().Be("127.0.0.1");
        connected.GetProperty("tcp_port").GetInt32().Should().Be(portB);
        connected.GetProperty("direction").GetString().Should().Be("outbound");

        var sessionA = NodeCli.Sessions(await a.CommandJsonAsync("peers")).Should().ContainSingle().Subject;
        sessionA.GetProperty("fingerprint").GetString().Should().Be(fb);
        sessionA.GetProperty("tcp_port").GetInt32().Should().Be(portB);
        sessionA.GetProperty("impersonation_warning").GetBoolean().Should().BeFalse();
        sessionA.GetProperty("bytes_out").GetInt64().Should().BeGreaterThanOrEqualTo(0);
        var sessionB = NodeCli.Sessions(await NodeCli.PollAsync(b, "peers", p => NodeCli.Sessions(p).Length == 1, Deadline)).Single();
        sessionB.GetProperty("node_id").GetString().Should().Be("alice");
        sessionB.GetProperty("fingerprint").GetString().Should().Be(fa);
        sessionB.GetProperty("direction").GetString().Should().Be("inbound");
        sessionB.GetProperty("session_id").GetString().Should().Be(sessionA.GetProperty("session_id").GetString());

        var status = await a.CommandJsonAsync("status");
        status.GetProperty("sessions").GetInt32().Should().Be(1);
        status.GetProperty("links").GetInt32().Should().Be(1);
        status.GetProperty("handshakes_completed").GetInt64().Should().Be(1);
        var link = (await a.CommandJsonAsync("links")).GetProperty("links").EnumerateArray().Should().ContainSingle().Subject;
        link.GetProperty("fingerprint").GetString().Should().Be(fb);
        link.GetProperty("node_id").GetString().Should().Be("bob");
        link.GetProperty("tcp_port").GetInt32().Should().Be(portB);
        link.GetProperty("connected").GetBoolean().Should().BeTrue();

        var gone = await a.CommandJsonAsync("disconnect bob");
        gone.GetProperty("disconnected").GetBoolean().Should().BeTrue();
        gone.GetProperty("fingerprint").GetString().Should().Be(fb);
        NodeCli.Sessions(await a.CommandJsonAsync("peers")).Should().BeEmpty();
        await NodeCli.PollAsync(b, "peers", p => NodeCli.Sessions(p).Length == 0, Deadline);
        (await a.CommandJsonAsync("links")).GetProperty("links")[0].GetProperty("connected").GetBoolean().Should().BeFalse();

        // A second session, closed from the other side by a fingerprint prefix.
        await a.CommandJsonAsync($"connect 127.0.0.1:{portB} --expect {fb[..12]}");
        await NodeCli.PollAsync(b, "peers", p => NodeCli.Sessions(p).Length == 1, Deadline);
        (await b.CommandJsonAsync($"disconnect {fa[..10]}")).GetProperty("node_id").GetString().Should().Be("alice");
        await NodeCli.PollAsync(a, "peers", p => NodeCli.Sessions(p).Length == 0, Deadline);

        await NodeCli.QuitAsync(a);
        await using var again = await NodeCli.StartAsync(dir.Sub("a"), "alice");
        var links = (await again.CommandJsonAsync("links")).GetProperty("links").EnumerateArray().ToList();
        links.Should().ContainSingle().Which.GetProperty("fingerprint").GetString().Should().Be(fb);
        links[0].GetProperty("connected").GetBoolean().Should().BeFalse();
        (await again.CommandJsonAsync("status")).GetProperty("links").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task PeerRestartsOnSamePort_DialerReconnectsByItself()
    {
        using var dir = new TempDirectory();
        await using var a = await NodeCli.StartAsync(dir.Sub("a"), "alice");
        var b = await NodeCli.StartAsync(dir.Sub("b"), "bob");
        await using var _ = b;
        var fb = await NodeCli.FingerprintAsync(b);
        var portB = await NodeCli.TcpPortAsync(b);
        await a.CommandJsonAsync($"connect 127.0.0.1:{portB}");

        await NodeCli.QuitAsync(b);
        await NodeCli.PollAsync(a, "peers", p => NodeCli.Sessions(p).Length == 0, Deadline);
        await using var restarted = await NodeCli.StartAsync(dir.Sub("b"), "bob", portB);

        var peers = await NodeCli.PollAsync(a, "peers", p => NodeCli.Sessions(p).Length == 1, TimeSpan.FromSeconds(15));
        var session = NodeCli.Sessions(peers)[0];
        session.GetProperty("fingerprint").GetString().Should().Be(fb, "the same data directory keeps the same identity");
        session.GetProperty("direction").GetString().Should().Be("outbound");
        await NodeCli.PollAsync(restarted, "peers", p => NodeCli.Sessions(p).Length == 1, Deadline);
    }

    [Fact]
    public async Task SameNodeIdWithNewFingerprint_WarnsOnStderr_PeersMarksIt()
    {
        using var dir = new TempDirectory();
        await using var a = await NodeCli.StartAsync(dir.Sub("a"), "alice");
        await using var bob = await NodeCli.StartAsync(dir.Sub("bob"), "bob");
        await using var impostor = await NodeCli.StartAsync(dir.Sub("impostor"), "bob");
        var portA = await NodeCli.TcpPortAsync(a);
        var real = await NodeCli.FingerprintAsync(bob);
        var fake = await NodeCli.FingerprintAsync(impostor);

        await bob.CommandJsonAsync($"connect 127.0.0.1:{portA}");
        await NodeCli.PollAsync(a, "peers", p => NodeCli.Sessions(p).Length == 1, Deadline);
        a.StderrLines.Should().BeEmpty();
        await impostor.CommandJsonAsync($"connect 127.0.0.1:{portA}");

        var warning = await a.WaitForStderrAsync(l => l.Contains("impersonation", StringComparison.OrdinalIgnoreCase), Deadline);
        warning.Should().StartWith("openred: warning:").And.Contain("bob").And.Contain(fake).And.Contain(real[..16]);
        var peers = await NodeCli.PollAsync(a, "peers", p => NodeCli.Sessions(p).Length == 2, Deadline);
        var byFingerprint = NodeCli.Sessions(peers).ToDictionary(s => s.GetProperty("fingerprint").GetString()!);
        byFingerprint[fake].GetProperty("impersonation_warning").GetBoolean().Should().BeTrue();
        byFingerprint[real].GetProperty("impersonation_warning").GetBoolean().Should().BeFalse();
        byFingerprint.Values.Should().OnlyContain(s => s.GetProperty("node_id").GetString() == "bob");

        // Two sessions share the node-id: disconnect must ask for a fingerprint prefix.
        await a.WriteLineAsync("disconnect bob");
        var ambiguous = await a.WaitForStderrAsync(l => l.StartsWith("openred: disconnect:", StringComparison.Ordinal), Deadline);
        ambiguous.Should().Contain(real[..16]).And.Contain(fake[..16]);
        a.StdoutLines.Should().OnlyContain(l => l.StartsWith('{'), "events are not printed on stdout when stdin is not a terminal");
    }
}
