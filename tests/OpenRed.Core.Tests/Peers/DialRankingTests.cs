using OpenRed.Core.Identity;
using OpenRed.Core.Peers;
using OpenRed.Core.Peers.Internal;

namespace OpenRed.Core.Tests.Peers;

public sealed class DialRankingTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Order_MostRecentlySuccessfulFirst_NeverSucceededLast()
    {
        var never = Due("10.1.0.1", PeerSource.Link);
        var old = Due("10.2.0.1", PeerSource.Link, success: Now.AddHours(-5));
        var recent = Due("10.3.0.1", PeerSource.Link, success: Now.AddMinutes(-1));

        DialRanking.Order([never, old, recent], Now).Should().Equal(recent, old, never);
    }

    [Fact]
    public void Order_ReconnectThenAutoConnectThenFill_ThenBySource()
    {
        var exchange = Due("10.1.0.1", PeerSource.Exchange);
        var bootstrap = Due("10.2.0.1", PeerSource.Bootstrap);
        var link = Due("10.3.0.1", PeerSource.Link);
        var auto = Due("10.4.0.1", PeerSource.Lighthouse, verdict: DialVerdict.AutoConnect);
        var reconnect = Due("10.5.0.1", PeerSource.Link, verdict: DialVerdict.Reconnect);

        DialRanking.Order([exchange, bootstrap, link, auto, reconnect], Now).Should().Equal(reconnect, auto, link, bootstrap, exchange);
    }

    [Fact]
    public void Spread_DistinctSlash16First_ThenASecondRound()
    {
        var a1 = Due("10.1.0.1", PeerSource.Link);
        var a2 = Due("10.1.0.2", PeerSource.Link);
        var a3 = Due("10.1.9.9", PeerSource.Link);
        var b1 = Due("10.2.0.1", PeerSource.Link);
        var c1 = Due("10.3.0.1", PeerSource.Link);

        DialRanking.Spread([a1, a2, a3, b1, c1], 10, []).Should().Equal(a1, b1, c1, a2, a3);
    }

    [Fact]
    public void Spread_BusyGroups_WaitForTheNextRound()
    {
        var a1 = Due("10.1.0.1", PeerSource.Link);
        var b1 = Due("10.2.0.1", PeerSource.Link);

        DialRanking.Spread([a1, b1], 1, [Peer.At("10.1.7.7").SpreadGroup]).Should().Equal(b1);
    }

    [Fact]
    public void Spread_NoMoreThanTwoFromOneSenderInARow()
    {
        var s = Peer.Fp(1);
        var t = Peer.Fp(2);
        var s1 = Due("10.1.0.1", PeerSource.Exchange, sender: s);
        var s2 = Due("10.2.0.1", PeerSource.Exchange, sender: s);
        var s3 = Due("10.3.0.1", PeerSource.Exchange, sender: s);
        var s4 = Due("10.4.0.1", PeerSource.Exchange, sender: s);
        var t1 = Due("10.5.0.1", PeerSource.Exchange, sender: t);

        var order = DialRanking.Spread([s1, s2, s3, s4, t1], 10, []);

        order.Should().Equal(s1, s2, t1, s3, s4);
    }

    [Fact]
    public void Spread_TakesNoMoreThanAsked()
    {
        DialRanking.Spread([Due("10.1.0.1", PeerSource.Link), Due("10.2.0.1", PeerSource.Link)], 1, []).Should().HaveCount(1);
    }

    private static DueCandidate Due(
        string ip, PeerSource source, DateTimeOffset? success = null, Fingerprint? sender = null, DialVerdict verdict = DialVerdict.FillTarget)
    {
        var c = new PeerCandidate(
            Peer.At(ip), Peer.Fp((byte)ip.GetHashCode(StringComparison.Ordinal)), success is not null,
            [new PeerSourceEntry(source, Now, Now, null, sender)], Now, Now, success, null, null, 0, null, null);
        return new DueCandidate(c, verdict, sender);
    }
}
