using System.Net;
using OpenRed.Core.Exchange;
using OpenRed.Core.Exchange.Internal;
using OpenRed.Core.Tests.Peers;

namespace OpenRed.Core.Tests.Exchange;

public sealed class SendScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly ExchangeOptions Options = new();

    [Fact]
    public void EntriesFor_NeverTheReceiver_NotNarrowerThanItsAddress_AtMostMax()
    {
        var loop = Recent(0x31, "127.0.0.1");
        var lan = Recent(0x32, "192.168.1.7");
        var receiver = Recent(0x33, "192.168.1.8");
        List<RecentPeer> all = [loop, lan, receiver, .. Enumerable.Range(0, 60).Select(i => Recent((byte)(0x40 + i), "10.0.0." + (i + 1)))];

        var forLanPeer = SendSchedule.EntriesFor(all, receiver.Fingerprint, IPAddress.Parse("192.168.1.8"), Options.MaxEntries);

        forLanPeer.Should().HaveCount(50).And.NotContain(receiver).And.NotContain(loop);
        forLanPeer[0].Should().Be(lan);
        SendSchedule.EntriesFor(all, receiver.Fingerprint, IPAddress.Loopback, 5).Should().Equal(all.Where(p => p != receiver).Take(5));
    }

    [Fact]
    public void Due_FirstAsSoonAsThereIsSomething_ThenOncePerInterval_OnlyWhenChangedOrStale()
    {
        var state = new SendState();

        SendSchedule.Due(state, "", empty: true, Now, Options).Should().BeFalse("an empty list is not worth a message");
        SendSchedule.Due(state, "a", empty: false, Now, Options).Should().BeTrue();
        state.LastSentAt = Now;
        state.LastKey = "a";

        SendSchedule.Due(state, "b", empty: false, Now.AddSeconds(59), Options).Should().BeFalse("at most once a minute");
        SendSchedule.Due(state, "b", empty: false, Now.AddSeconds(60), Options).Should().BeTrue();
        SendSchedule.Due(state, "a", empty: false, Now.AddMinutes(5), Options).Should().BeFalse("nothing changed");
        SendSchedule.Due(state, "a", empty: false, Now.AddMinutes(30), Options).Should().BeTrue("refreshed before receivers forget it");
        state.Sending = true;
        SendSchedule.Due(state, "b", empty: false, Now.AddMinutes(30), Options).Should().BeFalse("one send at a time");
    }

    [Fact]
    public void Message_CarriesEveryField()
    {
        var peer = Recent(0x31, "192.168.1.7");

        var m = SendSchedule.Message([peer]).PeerExchange.Peers.Should().ContainSingle().Subject;

        m.Fingerprint.ToByteArray().Should().Equal(peer.Fingerprint.Bytes.ToArray());
        m.Host.Should().Be("192.168.1.7");
        m.Port.Should().Be(7900u);
        m.NodeId.Should().Be("n31");
        m.Sector.Should().Be("general");
        m.LastSeenMs.Should().Be((ulong)Now.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void RecentPeers_ListedWhileOpen_AndAnHourAfter_ThenDropped()
    {
        var recent = new RecentPeers();
        var a = Peer.Fp(0x31);
        recent.Opened(a, "a", "general", new IPEndPoint(IPAddress.Parse("10.0.0.1"), 7900), Now);

        recent.Listable(Now.AddHours(5), TimeSpan.FromHours(1)).Should().ContainSingle().Which.LastSeen.Should().Be(Now.AddHours(5), "an open session is seen now");
        recent.Closed(a, Now.AddHours(5));
        recent.Listable(Now.AddHours(6), TimeSpan.FromHours(1)).Should().ContainSingle();
        recent.Listable(Now.AddHours(6).AddSeconds(1), TimeSpan.FromHours(1)).Should().BeEmpty();
        recent.Count.Should().Be(0);
    }

    private static RecentPeer Recent(byte b, string ip) =>
        new(Peer.Fp(b), "n" + b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture), "general", new IPEndPoint(IPAddress.Parse(ip), 7900), Now);
}
