using System.Collections.Immutable;
using OpenRed.Core.Identity;
using OpenRed.Core.Peers;
using OpenRed.Core.Peers.Internal;

namespace OpenRed.Core.Tests.Peers;

public sealed class DialPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Fingerprint Self = Peer.Fp(0x50);
    private static readonly PolicyInput Base = new(Self, "lan", Now, false, false, false, false, false, 0, 3);

    [Fact]
    public void Lighthouse_SameSectorHigherFingerprint_AutoConnect()
    {
        DialPolicy.Evaluate(Candidate(Peer.Fp(0x60), "lan", PeerSource.Lighthouse), Base).Should().Be(DialVerdict.AutoConnect);
    }

    [Fact]
    public void Lighthouse_LowerFingerprint_WaitsToBeDialled()
    {
        DialPolicy.Evaluate(Candidate(Peer.Fp(0x40), "lan", PeerSource.Lighthouse), Base).Should().Be(DialVerdict.NotOurs);
    }

    [Fact]
    public void Lighthouse_OtherSector_NeverAutoDialled()
    {
        DialPolicy.Evaluate(Candidate(Peer.Fp(0x60), "lab", PeerSource.Lighthouse), Base).Should().Be(DialVerdict.NotOurs);
    }

    [Fact]
    public void Lighthouse_BeaconOnlyAttemptsUsed_NotWanted_UnlessAnotherSourceNamesIt()
    {
        var input = Base with { BeaconAttempts = 3 };

        DialPolicy.Evaluate(Candidate(Peer.Fp(0x60), "lan", PeerSource.Lighthouse), input).Should().Be(DialVerdict.BeaconAttemptsUsed);
        DialPolicy.Evaluate(Candidate(Peer.Fp(0x60), "lan", PeerSource.Lighthouse, PeerSource.Link), input).Should().Be(DialVerdict.AutoConnect);
    }

    [Theory]
    [InlineData(PeerSource.Bootstrap)]
    [InlineData(PeerSource.Connect)]
    [InlineData(PeerSource.Link)]
    [InlineData(PeerSource.Exchange)]
    public void OtherSources_AreTargetFill(PeerSource source)
    {
        DialPolicy.Evaluate(Candidate(Peer.Fp(0x40), null, source), Base).Should().Be(DialVerdict.FillTarget);
    }

    [Fact]
    public void Self_Blocked_Connected_Quiet_AreNeverDialled_InThatOrder()
    {
        var c = Candidate(Peer.Fp(0x60), "lan", PeerSource.Lighthouse, PeerSource.Link);

        DialPolicy.Evaluate(Candidate(Self, "lan", PeerSource.Link), Base).Should().Be(DialVerdict.Self);
        DialPolicy.Evaluate(c, Base with { IsOwnAddress = true }).Should().Be(DialVerdict.Self);
        DialPolicy.Evaluate(c, Base with { Blocked = true, Connected = true }).Should().Be(DialVerdict.Blocked);
        DialPolicy.Evaluate(c, Base with { Connected = true, Quiet = true }).Should().Be(DialVerdict.Connected);
        DialPolicy.Evaluate(c, Base with { Quiet = true, Reconnecting = true }).Should().Be(DialVerdict.Quiet);
        DialPolicy.Evaluate(c, Base with { Reconnecting = true }).Should().Be(DialVerdict.Reconnect);
    }

    [Fact]
    public void ExpiredOnlySource_NotDialled_EvenWhenReconnecting()
    {
        var expired = Candidate(Peer.Fp(0x60), null, PeerSource.Exchange) with
        {
            Sources = [new PeerSourceEntry(PeerSource.Exchange, Now.AddHours(-2), Now.AddHours(-2), Now.AddHours(-1), Peer.Fp(1))],
        };

        DialPolicy.Evaluate(expired, Base with { Reconnecting = true }).Should().Be(DialVerdict.NoLiveSource);
    }

    [Fact]
    public void Verdicts_WantedOnlyForReconnectAutoConnectFill()
    {
        Enum.GetValues<DialVerdict>().Where(v => v.IsWanted())
            .Should().BeEquivalentTo([DialVerdict.Reconnect, DialVerdict.AutoConnect, DialVerdict.FillTarget]);
    }

    private static PeerCandidate Candidate(Fingerprint? expected, string? sector, params PeerSource[] sources) =>
        new(Peer.At("192.168.1.9"), expected, false, [.. sources.Select(s => new PeerSourceEntry(s, Now, Now, null, null))],
            Now, Now, null, null, null, 0, sector, null);

    [Fact]
    public void Evaluate_FillSourcesBootstrapOnly_DialOnlyBootstrapToReachTheTarget()
    {
        // Was the node's default until the spider (issue 12); FillSources still narrows the fill this way.
        var now = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        IReadOnlySet<PeerSource> fill = new HashSet<PeerSource> { PeerSource.Bootstrap };
        var input = new PolicyInput(Fingerprint.Of([1]), "general", now, false, false, false, false, false, 0, 3, fill);

        DialPolicy.Evaluate(Candidate(PeerSource.Bootstrap, now), input).Should().Be(DialVerdict.FillTarget);
        DialPolicy.Evaluate(Candidate(PeerSource.Link, now), input).Should().Be(DialVerdict.NotOurs);
        DialPolicy.Evaluate(Candidate(PeerSource.Connect, now), input).Should().Be(DialVerdict.NotOurs);
    }

    private static PeerCandidate Candidate(PeerSource source, DateTimeOffset now) => new(
        PeerAddress.Create("10.1.2.3", 8080), source == PeerSource.Bootstrap ? null : Fingerprint.Of([9]), false,
        [new PeerSourceEntry(source, now, now, null, null)], now, now, null, null, null, 0, null, null);

    [Fact]
    public void Evaluate_DefaultFillSources_EverySourceButTheLighthouse()
    {
        var input = Base with { FillSources = PeerOptions.Default.FillSources };

        foreach (var source in new[] { PeerSource.Bootstrap, PeerSource.Connect, PeerSource.Link, PeerSource.Exchange })
        {
            DialPolicy.Evaluate(Candidate(Peer.Fp(0x40), null, source), input).Should().Be(DialVerdict.FillTarget, source.ToString());
        }

        DialPolicy.Evaluate(Candidate(Peer.Fp(0x40), "lan", PeerSource.Lighthouse), input).Should().Be(DialVerdict.NotOurs);
    }

    [Fact]
    public void Exchange_OnlySourceOfAnotherSector_NotDialled_UnlessAnotherSourceNamesIt()
    {
        DialPolicy.Evaluate(Candidate(Peer.Fp(0x40), "lab", PeerSource.Exchange), Base).Should().Be(DialVerdict.NotOurs);
        DialPolicy.Evaluate(Candidate(Peer.Fp(0x40), "lan", PeerSource.Exchange), Base).Should().Be(DialVerdict.FillTarget);
        DialPolicy.Evaluate(Candidate(Peer.Fp(0x40), "lab", PeerSource.Exchange, PeerSource.Link), Base).Should().Be(DialVerdict.FillTarget);
    }
}
