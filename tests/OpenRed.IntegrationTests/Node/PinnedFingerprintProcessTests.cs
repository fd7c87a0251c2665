using OpenRed.IntegrationTests.Cli;

namespace OpenRed.IntegrationTests.Node;

/// <summary>
/// First-contact issue, point 7: the first fingerprint seen with a node-id is pinned, as ssh's known_hosts pins a
/// host key. A later fingerprint is flagged without replacing it, so the genuine peer is never the one accused.
/// </summary>
public sealed class PinnedFingerprintProcessTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task GenuinePeer_ReturningAfterAnImpostor_IsNotFlagged_AndLinksShowTheNotPinnedOne()
    {
        using var dir = new TempDirectory();
        await using var a = await NodeCli.StartAsync(dir.Sub("a"), "alice");
        await using var bob = await NodeCli.StartAsync(dir.Sub("bob"), "bob");
        await using var impostor = await NodeCli.StartAsync(dir.Sub("impostor"), "bob");
        var portA = await NodeCli.TcpPortAsync(a);
        var real = await NodeCli.FingerprintAsync(bob);
        var fake = await NodeCli.FingerprintAsync(impostor);

        // Genuine bob first, then the impostor once; both leave.
        await bob.CommandJsonAsync($"connect 127.0.0.1:{portA}");
        await NodeCli.PollAsync(a, "peers", p => NodeCli.Sessions(p).Length == 1, Deadline);
        await bob.CommandJsonAsync("disconnect alice");
        await impostor.CommandJsonAsync($"connect 127.0.0.1:{portA}");
        await a.WaitForStderrAsync(l => l.Contains(fake, StringComparison.Ordinal), Deadline);
        await impostor.CommandJsonAsync("disconnect alice");
        await NodeCli.PollAsync(a, "peers", p => NodeCli.Sessions(p).Length == 0, Deadline);

        // The genuine bob comes back: he is who the node-id was pinned to, so nothing accuses him.
        var warningsBefore = a.StderrLines.Count;
        await bob.CommandJsonAsync($"connect 127.0.0.1:{portA}");
        var peers = await NodeCli.PollAsync(a, "peers", p => NodeCli.Sessions(p).Length == 1, Deadline);
        var session = NodeCli.Sessions(peers).Single();
        session.GetProperty("fingerprint").GetString().Should().Be(real);
        session.GetProperty("impersonation_warning").GetBoolean().Should().BeFalse();
        a.StderrLines.Skip(warningsBefore).Should().NotContain(l => l.Contains("impersonation", StringComparison.OrdinalIgnoreCase));

        var links = (await a.CommandJsonAsync("links")).GetProperty("links").EnumerateArray()
            .ToDictionary(l => l.GetProperty("fingerprint").GetString()!, l => l.GetProperty("pinned").GetBoolean());
        links.Should().BeEquivalentTo(new Dictionary<string, bool> { [real] = true, [fake] = false });
        var skip = a.StdoutLines.Count;
        await a.WriteLineAsync("links");
        (await a.WaitForStdoutAsync(l => l.Contains("NOT PINNED", StringComparison.Ordinal), Deadline, skip)).Should().Contain(fake[..16]);
        await a.WaitForStdoutAsync(l => l.Contains("pin <fingerprint>", StringComparison.Ordinal), Deadline, skip);
    }

    [Fact]
    public async Task Pin_AcceptsANewKey_ThenTheOldOneIsTheSuspect()
    {
        using var dir = new TempDirectory();
        await using var a = await NodeCli.StartAsync(dir.Sub("a"), "alice");
        await using var oldKey = await NodeCli.StartAsync(dir.Sub("old"), "bob");
        await using var newKey = await NodeCli.StartAsync(dir.Sub("new"), "bob");
        var portA = await NodeCli.TcpPortAsync(a);
        var fOld = await NodeCli.FingerprintAsync(oldKey);
        var fNew = await NodeCli.FingerprintAsync(newKey);
        await oldKey.CommandJsonAsync($"connect 127.0.0.1:{portA}");
        await NodeCli.PollAsync(a, "peers", p => NodeCli.Sessions(p).Length == 1, Deadline);
        await newKey.CommandJsonAsync($"connect 127.0.0.1:{portA}");
        await NodeCli.PollAsync(a, "peers", p => NodeCli.Sessions(p).Length == 2, Deadline);

        var pinned = await a.CommandJsonAsync($"pin {fNew[..12]}");

        pinned.GetProperty("pinned").GetBoolean().Should().BeTrue();
        pinned.GetProperty("fingerprint").GetString().Should().Be(fNew);
        var links = (await a.CommandJsonAsync("links")).GetProperty("links").EnumerateArray()
            .ToDictionary(l => l.GetProperty("fingerprint").GetString()!, l => l.GetProperty("pinned").GetBoolean());
        links.Should().BeEquivalentTo(new Dictionary<string, bool> { [fOld] = false, [fNew] = true });
        var byFingerprint = NodeCli.Sessions(await a.CommandJsonAsync("peers")).ToDictionary(s => s.GetProperty("fingerprint").GetString()!);
        byFingerprint[fNew].GetProperty("impersonation_warning").GetBoolean().Should().BeFalse();
    }
}
