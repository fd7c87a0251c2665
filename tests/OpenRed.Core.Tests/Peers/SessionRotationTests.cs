using OpenRed.Core.Identity;
using OpenRed.Core.Peers;
using OpenRed.Core.Peers.Internal;

namespace OpenRed.Core.Tests.Peers;

/// <summary>Session rotation on a fake clock: when it closes a session, which one, and when it stops.</summary>
public sealed class SessionRotationTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(10);
    private static readonly Fingerprint Sender = Peer.Fp(0x61);

    private static PeerOptions Options(int target) => new()
    {
        TargetSessions = target, DialRate = 1000, DialBurst = 1000, BackoffJitter = 0, RotateEvery = Period,
    };

    [Fact]
    public async Task AtTarget_WithANewExchangeCandidate_ClosesTheLeastRecentlyActiveOutbound_ThenDialsTheNewOne()
    {
        await using var h = new SchedulerHarness(Options(4));
        var oldOut = Peer.Fp(0x61);
        Linked(h, "10.1.0.1", oldOut);
        h.Open(oldOut, outbound: true, idle: TimeSpan.FromSeconds(5));
        h.Open(Peer.Fp(0x62), outbound: true, idle: TimeSpan.FromSeconds(1));
        h.Open(Peer.Fp(0x63), outbound: false, idle: TimeSpan.FromSeconds(50));
        h.Open(Peer.Fp(0x64), outbound: true, friend: true, idle: TimeSpan.FromSeconds(50));
        var stranger = Peer.Fp(0x70);
        h.Directory.Add(Peer.At("10.7.0.1"), PeerSource.Exchange, stranger, h.Now, new PeerHints(Sender: oldOut));

        await h.StartAsync();
        await h.Advance(Period - TimeSpan.FromSeconds(1));
        h.Rotated.Should().BeEmpty("one period at the target comes first");
        h.Status.NewCandidates.Should().Be(1);

        await h.Advance(TimeSpan.FromSeconds(1));
        var dial = await h.Dialer.NextAsync();

        h.Rotated.Should().Equal([oldOut], "the inbound and the friend's sessions were idle longer but are never rotated");
        h.Status.Rotations.Should().Be(1);
        dial.Request.Should().Be(new DialRequest(Peer.At("10.7.0.1"), stranger), "the freed slot goes to the new candidate, not back to the peer rotated out");
        dial.Succeed(stranger);
        await h.NextCompletionAsync();
        h.Open(stranger, outbound: true);

        for (var i = 0; i < 3; i++)
        {
            await h.Advance(Period);
        }

        h.Status.Rotations.Should().Be(1, "nothing new is left to meet: rotation stops by itself");
        h.Status.NewCandidates.Should().Be(0);
    }

    [Fact]
    public async Task BelowTarget_NeverRotates_TheFillDialsInstead()
    {
        await using var h = new SchedulerHarness(Options(4));
        h.Open(Peer.Fp(0x61), outbound: true, idle: TimeSpan.FromSeconds(5));
        h.Directory.Add(Peer.At("10.7.0.1"), PeerSource.Exchange, Peer.Fp(0x70), h.Now, new PeerHints(Sender: Sender));

        await h.StartAsync();
        await h.Dialer.NextAsync();
        await h.Advance(Period * 3);

        h.Rotated.Should().BeEmpty();
        h.Status.Rotations.Should().Be(0);
    }

    [Fact]
    public async Task AtTarget_OnlyProvenOrFailedCandidates_NeverRotates()
    {
        await using var h = new SchedulerHarness(Options(1));
        var known = Peer.Fp(0x65);
        Linked(h, "10.5.0.1", known);
        h.Directory.Add(Peer.At("10.5.0.1"), PeerSource.Exchange, known, h.Now, new PeerHints(Sender: Sender));
        h.Directory.Add(Peer.At("10.6.0.1"), PeerSource.Exchange, Peer.Fp(0x66), h.Now, new PeerHints(Sender: Sender));
        h.Directory.RecordFailure(Peer.At("10.6.0.1"), DialFailure.Unreachable, h.Now);
        h.Open(Peer.Fp(0x61), outbound: true, idle: TimeSpan.FromSeconds(5));

        await h.StartAsync();
        await h.Advance(Period * 4);

        h.Rotated.Should().BeEmpty("a proved peer is nothing new and a dead entry never costs a session");
        h.Status.NewCandidates.Should().Be(0);
    }

    [Fact]
    public async Task AtTarget_ANewCandidateHeardLongerAgoThanNewCandidateFor_NoLongerRotates()
    {
        await using var h = new SchedulerHarness(Options(1) with { NewCandidateFor = TimeSpan.FromMinutes(1) });
        h.Open(Peer.Fp(0x61), outbound: true, idle: TimeSpan.FromSeconds(5));
        h.Directory.Add(Peer.At("10.7.0.1"), PeerSource.Exchange, Peer.Fp(0x70), h.Now - TimeSpan.FromMinutes(2), new PeerHints(Sender: Sender));
        h.Directory.Add(Peer.At("10.7.0.1"), PeerSource.Exchange, Peer.Fp(0x70), h.Now, new PeerHints(Sender: Sender));

        await h.StartAsync();
        await h.Advance(Period * 3);

        h.Rotated.Should().BeEmpty("an entry first heard two minutes ago is listed again, but its neighbours' lists carry it by now");
        h.Status.NewCandidates.Should().Be(0);
    }

    [Fact]
    public async Task AtTarget_OnlyInboundFriendsAndBootstrapSessions_NothingIsClosed()
    {
        await using var h = new SchedulerHarness(Options(3));
        var bootstrap = Peer.Fp(0x62);
        h.Directory.Add(Peer.At("10.2.0.1"), PeerSource.Bootstrap, null, h.Now);
        h.Directory.RecordSuccess(Peer.At("10.2.0.1"), bootstrap, h.Now);
        h.Open(Peer.Fp(0x61), outbound: false, idle: TimeSpan.FromSeconds(50));
        h.Open(bootstrap, outbound: true, idle: TimeSpan.FromSeconds(50));
        h.Open(Peer.Fp(0x63), outbound: true, friend: true, idle: TimeSpan.FromSeconds(50));
        h.Directory.Add(Peer.At("10.7.0.1"), PeerSource.Exchange, Peer.Fp(0x70), h.Now, new PeerHints(Sender: Sender));

        await h.StartAsync();
        await h.Advance(Period * 3);

        h.Rotated.Should().BeEmpty();
        h.Status.Rotations.Should().Be(0);
        h.Dialer.TryNext(out _).Should().BeFalse("at the target, with no session it may close, the node dials nothing");
    }

    [Fact]
    public async Task RotateEveryZero_TurnsRotationOff()
    {
        await using var h = new SchedulerHarness(Options(1) with { RotateEvery = TimeSpan.Zero });
        h.Open(Peer.Fp(0x61), outbound: true, idle: TimeSpan.FromSeconds(5));
        h.Directory.Add(Peer.At("10.7.0.1"), PeerSource.Exchange, Peer.Fp(0x70), h.Now, new PeerHints(Sender: Sender));

        await h.StartAsync();
        await h.Advance(Period * 3);

        h.Rotated.Should().BeEmpty();
    }

    [Fact]
    public void Kept_ConnectBootstrapAndLighthousePeers_NotLinksOrExchangeEntries()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        PeerCandidate With(byte b, PeerSource source) => new(
            Peer.At($"10.{b}.0.1"), Peer.Fp(b), true, [new PeerSourceEntry(source, now, now, null, null)], now, now, now, null, null, 0, null, null);

        SessionRotation.Kept(
            [With(1, PeerSource.Connect), With(2, PeerSource.Bootstrap), With(3, PeerSource.Lighthouse), With(4, PeerSource.Link), With(5, PeerSource.Exchange)], now)
            .Should().BeEquivalentTo([Peer.Fp(1), Peer.Fp(2), Peer.Fp(3)]);
    }

    [Fact]
    public void Victim_LeastRecentlyActiveOutbound_NeverInboundFriendOrKept()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        SessionView View(byte b, bool outbound, bool friend, int idle) => new(Peer.Fp(b), outbound, friend, now.AddSeconds(-idle));
        var sessions = new[]
        {
            View(1, outbound: false, friend: false, idle: 90), View(2, outbound: true, friend: true, idle: 80),
            View(3, outbound: true, friend: false, idle: 70), View(4, outbound: true, friend: false, idle: 60), View(5, outbound: true, friend: false, idle: 10),
        };

        SessionRotation.Victim(sessions, new HashSet<Fingerprint>())!.Peer.Should().Be(Peer.Fp(3));
        SessionRotation.Victim(sessions, new HashSet<Fingerprint> { Peer.Fp(3) })!.Peer.Should().Be(Peer.Fp(4));
        SessionRotation.Victim(sessions.Take(2), new HashSet<Fingerprint>()).Should().BeNull();
    }

    [Fact]
    public void Order_AfterARotation_NewFirst_RotatedOutLast_ThenMoreSenders()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        DueCandidate Due(string ip, PeerSource source, DateTimeOffset? success, int senders = 0, bool isNew = false, bool rotatedOut = false) =>
            new(new PeerCandidate(Peer.At(ip), Peer.Fp(byte.Parse(ip.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture)), success is not null, [new PeerSourceEntry(source, now, now, null, null)],
                now, now, success, null, null, 0, null, null), DialVerdict.FillTarget, null, senders, isNew, rotatedOut);
        var rotated = Due("10.1.0.1", PeerSource.Link, now, rotatedOut: true);
        var link = Due("10.2.0.1", PeerSource.Link, now.AddMinutes(-5));
        var oneSender = Due("10.3.0.1", PeerSource.Exchange, null, senders: 1, isNew: true);
        var threeSenders = Due("10.4.0.1", PeerSource.Exchange, null, senders: 3, isNew: true);

        DialRanking.Order([rotated, link, oneSender, threeSenders], now).Should().Equal(link, threeSenders, oneSender, rotated);
        DialRanking.Order([rotated, link, oneSender, threeSenders], now, newFirst: true).Should().Equal(threeSenders, oneSender, link, rotated);
    }

    [Fact]
    public async Task AfterANewcomer_RotatesToThePeersMetLongestAgo_ThenTheSettledMeshGoesQuiet()
    {
        var period = TimeSpan.FromSeconds(3);
        await using var h = new SchedulerHarness(Options(3) with { RotateEvery = period, RotateAfterNewsFor = TimeSpan.FromSeconds(10) });
        var (a, b, met, neverMet) = (Peer.Fp(0x61), Peer.Fp(0x62), Peer.Fp(0x63), Peer.Fp(0x64));
        Linked(h, "10.1.0.1", a);
        Linked(h, "10.2.0.1", b);
        Linked(h, "10.3.0.1", met);
        Linked(h, "10.4.0.1", neverMet);
        var leaving = Peer.Fp(0x65);
        h.Open(a, outbound: true, idle: TimeSpan.FromSeconds(5));
        h.Open(b, outbound: true, idle: TimeSpan.FromSeconds(1));
        h.Open(leaving, outbound: false);
        h.Scheduler.SessionStarted(a);
        h.Scheduler.SessionStarted(b);
        h.Scheduler.SessionStarted(leaving);
        h.Scheduler.SessionStarted(met);
        h.Scheduler.SessionEnded(met, SessionEndCause.Evicted, dialledByThisNode: false);

        await h.StartAsync();
        await h.Advance(TimeSpan.FromMinutes(1));
        h.Rotated.Should().BeEmpty("every candidate is proved and nothing new was heard: a settled node never rotates");

        // An inbound peer goes and a newcomer dials in: no list named it yet, and the node cannot tell whether its
        // peers know of it.
        h.Views.TryRemove(leaving, out _);
        h.Connected.TryRemove(leaving, out _);
        var newcomer = Peer.Fp(0x70);
        h.Open(newcomer, outbound: false);
        h.Scheduler.SessionEnded(leaving, SessionEndCause.Evicted, dialledByThisNode: false);
        h.Scheduler.SessionStarted(newcomer);
        var dialled = new List<Fingerprint>();
        for (var second = 0; second < 20; second++)
        {
            await h.Advance(TimeSpan.FromSeconds(1));
            await h.Pass();
            if (h.Status.Started > dialled.Count)
            {
                var dial = await h.Dialer.NextAsync();
                var peer = dial.Request.Expected!;
                dialled.Add(peer);

                // As on a node: the session is up before the dial returns.
                h.Open(peer, outbound: true);
                h.Scheduler.SessionStarted(peer);
                dial.Succeed(peer);
                await h.NextCompletionAsync();
            }
        }

        h.Rotated.Should().Equal([a, b], "one rotation a period while the news is fresh (10 s), the least recently active outbound first");
        dialled.Should().Equal([neverMet, met], "with no candidate left to meet, the freed slot goes to the peer met longest ago, never met first");

        for (var minute = 0; minute < 60; minute++)
        {
            await h.Advance(TimeSpan.FromMinutes(1));
        }

        h.Status.Rotations.Should().Be(2, "nothing new was heard since: the mesh stays quiet");
        h.Dialer.TryNext(out _).Should().BeFalse();
    }

    [Fact]
    public void Order_AfterARotation_PeersMetLongestAgoFirst_NeverMetFirstOfAll()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        DueCandidate Due(byte b, DateTimeOffset? lastMet) =>
            new(new PeerCandidate(Peer.At($"10.{b}.0.1"), Peer.Fp(b), true, [new PeerSourceEntry(PeerSource.Link, now, now, null, null)],
                now, now, now.AddSeconds(-b), null, null, 0, null, null), DialVerdict.FillTarget, null, LastMet: lastMet);
        var recent = Due(1, now.AddSeconds(-5));
        var older = Due(2, now.AddMinutes(-5));
        var never = Due(3, null);

        DialRanking.Order([recent, older, never], now, newFirst: true).Should().Equal(never, older, recent);
        DialRanking.Order([recent, older, never], now).Should().Equal([recent, older, never], "outside a rotation the most recently successful come first");
    }

    // A peer this node dialled before: a link candidate with a success.
    private static void Linked(SchedulerHarness h, string ip, Fingerprint fp)
    {
        h.Directory.Add(Peer.At(ip), PeerSource.Link, fp, h.Now);
        h.Directory.RecordSuccess(Peer.At(ip), fp, h.Now);
    }
}
