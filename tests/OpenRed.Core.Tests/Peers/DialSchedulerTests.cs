using OpenRed.Core.Identity;
using OpenRed.Core.Peers;

namespace OpenRed.Core.Tests.Peers;

public sealed class DialSchedulerTests
{
    [Fact]
    public async Task Rate_TenDueCandidates_OneDialStartsPerSecond()
    {
        await using var h = new SchedulerHarness(new PeerOptions { TargetSessions = 100, MaxConcurrentDials = 20 });
        for (var i = 1; i <= 10; i++)
        {
            h.Directory.Add(Peer.At($"10.{i}.0.1"), PeerSource.Bootstrap, null, h.Now);
        }

        await h.StartAsync();
        h.Status.Started.Should().Be(1);
        await h.Pass();
        h.Status.Started.Should().Be(1, "the budget is one dial a second");
        h.Status.Due.Should().Be(9);

        await h.Advance(TimeSpan.FromMilliseconds(999));
        h.Status.Started.Should().Be(1);
        await h.Advance(TimeSpan.FromMilliseconds(1));
        h.Status.Started.Should().Be(2);
        for (var second = 3; second <= 10; second++)
        {
            await h.Advance(TimeSpan.FromSeconds(1));
            h.Status.Started.Should().Be(second);
        }

        h.Status.Skipped[DialSkipReason.Rate].Should().Be(9);
    }

    [Fact]
    public async Task InFlight_NeverTwoDialsToOneAddress_NorToOneFingerprint()
    {
        await using var h = new SchedulerHarness();
        var fp = Peer.Fp(0x60);
        h.Directory.Add(Peer.At("10.1.0.1"), PeerSource.Link, fp, h.Now);
        h.Directory.Add(Peer.At("10.2.0.1"), PeerSource.Link, fp, h.Now);
        await h.StartAsync();
        var first = await h.Dialer.NextAsync();

        h.Directory.Add(first.Request.Address, PeerSource.Exchange, fp, h.Now);
        h.Directory.Add(first.Request.Address, PeerSource.Connect, fp, h.Now);
        await h.Advance(TimeSpan.FromMinutes(1));

        h.Status.Started.Should().Be(1);
        h.Status.InFlight.Should().Be(1);
        h.Dialer.Overlapped.Should().BeFalse();
    }

    [Fact]
    public async Task Policy_NoDialToSelf_Blocked_Connected_OrOwnAddress()
    {
        await using var h = new SchedulerHarness();
        h.Directory.Add(Peer.At("10.1.0.1"), PeerSource.Link, SchedulerHarness.Self, h.Now);
        h.Directory.Add(Peer.At("10.2.0.1"), PeerSource.Link, Peer.Fp(0x61), h.Now);
        h.Directory.Add(Peer.At("10.3.0.1"), PeerSource.Link, Peer.Fp(0x62), h.Now);
        h.Directory.Add(Peer.At("10.4.0.1"), PeerSource.Bootstrap, null, h.Now);
        h.Directory.Add(Peer.At("10.5.0.1"), PeerSource.Link, Peer.Fp(0x63), h.Now);
        h.Blocked[Peer.Fp(0x61)] = true;
        h.Connected[Peer.Fp(0x62)] = true;
        h.OwnAddresses[Peer.At("10.4.0.1")] = true;

        await h.StartAsync();
        var dial = await h.Dialer.NextAsync();
        await h.Advance(TimeSpan.FromMinutes(1));

        dial.Request.Should().Be(new DialRequest(Peer.At("10.5.0.1"), Peer.Fp(0x63)));
        h.Status.Started.Should().Be(1);
        h.Status.Skipped[DialSkipReason.Self].Should().Be(2, "counted once per candidate, not per pass");
        h.Status.Skipped[DialSkipReason.Blocked].Should().Be(1);
    }

    [Fact]
    public async Task Bootstrap_ReachesSelf_AddressNeverDialledAgain()
    {
        await using var h = new SchedulerHarness(new PeerOptions { DialRate = 1000, DialBurst = 1000, BackoffMin = TimeSpan.FromSeconds(1) });
        h.Directory.Add(Peer.At("seed.example.org"), PeerSource.Bootstrap, null, h.Now);
        await h.StartAsync();

        await h.AnswerNextAsync(d => d.Succeed(SchedulerHarness.Self));
        await h.Advance(TimeSpan.FromHours(1));

        h.Status.Started.Should().Be(1);
        h.Directory.Find(Peer.At("seed.example.org"))!.Expected.Should().Be(SchedulerHarness.Self);
    }

    [Fact]
    public async Task Backoff_DoublesPerFailure_OnTheFakeClock()
    {
        await using var h = new SchedulerHarness(new PeerOptions
        {
            DialRate = 1000, DialBurst = 1000, BackoffMin = TimeSpan.FromSeconds(1), BackoffMax = TimeSpan.FromSeconds(8), BackoffJitter = 0.2,
        }, random: () => 0);
        h.Directory.Add(Peer.At("10.1.0.1"), PeerSource.Link, Peer.Fp(0x60), h.Now);
        await h.StartAsync();

        // random 0 is the low jitter bound: each wait is 0.8 of 1, 2, 4, 8, 8 s.
        foreach (var ms in new[] { 800, 1600, 3200, 6400, 6400 })
        {
            var started = h.Status.Started;
            await h.AnswerNextAsync(d => d.Fail());
            await h.Advance(TimeSpan.FromMilliseconds(ms - 1));
            h.Status.Started.Should().Be(started, $"the wait is {ms} ms");
            await h.Advance(TimeSpan.FromMilliseconds(1));
            h.Status.Started.Should().Be(started + 1);
        }

        h.Directory.Find(Peer.At("10.1.0.1"))!.ConsecutiveFailures.Should().Be(5);
    }

    [Fact]
    public async Task Lighthouse_SourceLost_CancelsDialInFlight_AndNoneFollows()
    {
        await using var h = new SchedulerHarness();
        var fp = Peer.Fp(0x60);
        h.Directory.Add(Peer.At("192.168.1.7"), PeerSource.Lighthouse, fp, h.Now, new PeerHints(SchedulerHarness.Sector));
        await h.StartAsync();
        var dial = await h.Dialer.NextAsync();

        h.Directory.SourceLost(fp, PeerSource.Lighthouse);

        var (_, outcome) = await h.NextCompletionAsync();
        outcome.Should().BeNull();
        dial.Token.IsCancellationRequested.Should().BeTrue();
        await h.Advance(TimeSpan.FromMinutes(10));
        h.Status.Should().Match<DialSchedulerStatus>(s => s.Started == 1 && s.Cancelled == 1 && s.InFlight == 0);
    }

    [Fact]
    public async Task Lighthouse_SourceLostDuringBackoff_NoRetry()
    {
        await using var h = new SchedulerHarness();
        var fp = Peer.Fp(0x60);
        h.Directory.Add(Peer.At("192.168.1.7"), PeerSource.Lighthouse, fp, h.Now, new PeerHints(SchedulerHarness.Sector));
        await h.StartAsync();
        await h.AnswerNextAsync(d => d.Fail());

        h.Directory.SourceLost(fp, PeerSource.Lighthouse);
        await h.Advance(TimeSpan.FromMinutes(10));

        h.Status.Started.Should().Be(1);
    }

    [Fact]
    public async Task BeaconOnly_StopsAfterMaxAttempts_UntilHeardAnew()
    {
        await using var h = new SchedulerHarness(new PeerOptions
        {
            DialRate = 1000, DialBurst = 1000, BeaconOnlyMaxAttempts = 3, BackoffMin = TimeSpan.FromSeconds(1), BackoffMax = TimeSpan.FromSeconds(1),
            BackoffJitter = 0,
        });
        var fp = Peer.Fp(0x60);
        var address = Peer.At("192.168.1.7");
        h.Directory.Add(address, PeerSource.Lighthouse, fp, h.Now, new PeerHints(SchedulerHarness.Sector));
        await h.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await h.AnswerNextAsync(d => d.Fail());
            await h.Advance(TimeSpan.FromSeconds(1));
        }

        await h.Advance(TimeSpan.FromMinutes(5));
        h.Status.Started.Should().Be(3);
        h.Status.Skipped[DialSkipReason.BeaconAttemptsUsed].Should().Be(1);

        // Beacons that only refresh it change nothing; lost and found again, it gets new attempts.
        h.Directory.Add(address, PeerSource.Lighthouse, fp, h.Now, new PeerHints(SchedulerHarness.Sector));
        await h.Pass();
        h.Status.Started.Should().Be(3);
        h.Directory.SourceLost(fp, PeerSource.Lighthouse);
        h.Directory.Add(address, PeerSource.Lighthouse, fp, h.Now, new PeerHints(SchedulerHarness.Sector));
        await h.Dialer.NextAsync();
        h.Status.Started.Should().Be(4);
    }

    [Fact]
    public async Task BeaconOnly_ManyFingerprintsOneAddress_StillOneCandidateWithTheCap()
    {
        await using var h = new SchedulerHarness(new PeerOptions
        {
            DialRate = 1000, DialBurst = 1000, BeaconOnlyMaxAttempts = 3, BackoffMin = TimeSpan.FromSeconds(1), BackoffJitter = 0,
        });
        var address = Peer.At("192.168.1.7");
        await h.StartAsync();
        for (byte b = 0x60; b < 0x70; b++)
        {
            h.Directory.Add(address, PeerSource.Lighthouse, Peer.Fp(b), h.Now, new PeerHints(SchedulerHarness.Sector));
            if (h.Dialer.TryNext(out var dial))
            {
                dial!.Fail();
                await h.NextCompletionAsync();
            }

            await h.Advance(TimeSpan.FromMinutes(10));
        }

        h.Directory.Count.Should().Be(1);
        h.Status.Started.Should().BeLessThanOrEqualTo(3);
    }

    [Fact]
    public async Task Lighthouse_LowerOrOtherSectorPeer_NotDialled()
    {
        await using var h = new SchedulerHarness();
        h.Directory.Add(Peer.At("192.168.1.7"), PeerSource.Lighthouse, Peer.Fp(0x40), h.Now, new PeerHints(SchedulerHarness.Sector));
        h.Directory.Add(Peer.At("192.168.1.8"), PeerSource.Lighthouse, Peer.Fp(0x60), h.Now, new PeerHints("elsewhere"));

        await h.StartAsync();
        await h.Advance(TimeSpan.FromMinutes(1));

        h.Status.Started.Should().Be(0);
    }

    [Fact]
    public async Task TargetSessions_GatesFillDials_ButNotAutoConnect()
    {
        await using var h = new SchedulerHarness(new PeerOptions { DialRate = 1000, DialBurst = 1000, TargetSessions = 2, MaxConcurrentDials = 10 });
        h.Sessions = 1;
        h.Directory.Add(Peer.At("10.1.0.1"), PeerSource.Bootstrap, null, h.Now);
        h.Directory.Add(Peer.At("10.2.0.1"), PeerSource.Link, Peer.Fp(0x61), h.Now);
        h.Directory.Add(Peer.At("10.3.0.1"), PeerSource.Exchange, Peer.Fp(0x62), h.Now);

        await h.StartAsync();
        h.Status.Started.Should().Be(1, "one session plus one fill dial reach the target of two");

        var fill = await h.Dialer.NextAsync();
        h.Sessions = 2;
        h.Connected[Peer.Fp(0x61)] = true;
        fill.Succeed(fill.Request.Expected ?? Peer.Fp(0x63));
        await h.NextCompletionAsync();
        h.Directory.Add(Peer.At("192.168.1.9"), PeerSource.Lighthouse, Peer.Fp(0x64), h.Now, new PeerHints(SchedulerHarness.Sector));
        var auto = await h.Dialer.NextAsync();
        await h.Advance(TimeSpan.FromMinutes(1));

        auto.Request.Address.Should().Be(Peer.At("192.168.1.9"));
        h.Status.Started.Should().Be(2);
    }

    [Theory]
    [InlineData(SessionEndCause.ConnectionLost)]
    [InlineData(SessionEndCause.IdleTimeout)]
    [InlineData(SessionEndCause.SendStalled)]
    [InlineData(SessionEndCause.PeerShuttingDown)]
    public async Task SessionEnded_LostOutbound_RedialsAboveTarget_ForReconnectWindow(SessionEndCause cause)
    {
        await using var h = new SchedulerHarness(new PeerOptions
        {
            DialRate = 1000, DialBurst = 1000, TargetSessions = 0, ReconnectFor = TimeSpan.FromMinutes(30), BackoffMax = TimeSpan.FromMinutes(1),
        });
        var fp = Peer.Fp(0x30);
        h.Directory.Add(Peer.At("10.1.0.1"), PeerSource.Link, fp, h.Now);
        await h.StartAsync();
        h.Status.Started.Should().Be(0, "above target a link is not dialled");

        h.Scheduler.SessionEnded(fp, cause, dialledByThisNode: true);
        await h.AnswerNextAsync(d => d.Fail());
        h.Status.Reconnecting.Should().Be(1);

        await h.Advance(TimeSpan.FromMinutes(31));
        var started = h.Status.Started;
        await h.Advance(TimeSpan.FromMinutes(5));
        h.Status.Started.Should().Be(started, "the reconnect window is over");
        h.Status.Reconnecting.Should().Be(0);
    }

    [Fact]
    public async Task SessionEnded_LostInbound_NoRedial()
    {
        await using var h = new SchedulerHarness(new PeerOptions { DialRate = 1000, DialBurst = 1000, TargetSessions = 0 });
        var fp = Peer.Fp(0x30);
        h.Directory.Add(Peer.At("10.1.0.1"), PeerSource.Link, fp, h.Now);
        await h.StartAsync();

        h.Scheduler.SessionEnded(fp, SessionEndCause.ConnectionLost, dialledByThisNode: false);
        await h.Advance(TimeSpan.FromMinutes(1));

        h.Status.Started.Should().Be(0);
    }

    [Theory]
    [InlineData(SessionEndCause.PeerLeft)]
    [InlineData(SessionEndCause.ClosedByUser)]
    [InlineData(SessionEndCause.Violation)]
    public async Task SessionEnded_Deliberate_QuietUntilHeardAnew(SessionEndCause cause)
    {
        await using var h = new SchedulerHarness();
        var fp = Peer.Fp(0x60);
        h.Directory.Add(Peer.At("192.168.1.7"), PeerSource.Lighthouse, fp, h.Now, new PeerHints(SchedulerHarness.Sector));
        h.Connected[fp] = true;
        await h.StartAsync();

        h.Connected.TryRemove(fp, out _);
        h.Scheduler.SessionEnded(fp, cause, dialledByThisNode: true);
        await h.Advance(TimeSpan.FromMinutes(5));
        h.Status.Should().Match<DialSchedulerStatus>(s => s.Started == 0 && s.Quiet == 1);

        h.Scheduler.HeardAnew(fp);
        var dial = await h.Dialer.NextAsync();

        dial.Request.Expected.Should().Be(fp);
        h.Status.Quiet.Should().Be(0);
    }

    [Fact]
    public async Task Forget_CancelsDialInFlight_AndKeepsThePeerQuiet_UntilUserConnects()
    {
        await using var h = new SchedulerHarness();
        var fp = Peer.Fp(0x60);
        h.Directory.Add(Peer.At("10.1.0.1"), PeerSource.Link, fp, h.Now);
        await h.StartAsync();
        var dial = await h.Dialer.NextAsync();

        h.Scheduler.Forget(fp);
        (await h.NextCompletionAsync()).Outcome.Should().BeNull();
        await h.Advance(TimeSpan.FromMinutes(5));
        h.Status.Started.Should().Be(1);
        dial.Token.IsCancellationRequested.Should().BeTrue();

        h.Scheduler.ConnectedByUser(fp);
        await h.Dialer.NextAsync();
        h.Status.Started.Should().Be(2);
    }

    [Fact]
    public async Task SessionStarted_ElsewhereWhileBackingOff_NoFurtherDial()
    {
        await using var h = new SchedulerHarness();
        var fp = Peer.Fp(0x60);
        h.Directory.Add(Peer.At("10.1.0.1"), PeerSource.Link, fp, h.Now);
        await h.StartAsync();
        await h.AnswerNextAsync(d => d.Fail());

        h.Connected[fp] = true;
        h.Scheduler.SessionStarted(fp);
        await h.Advance(TimeSpan.FromMinutes(10));

        h.Status.Started.Should().Be(1);
    }

    [Fact]
    public async Task HeardAnew_CutsTheBackoffWaitShort()
    {
        await using var h = new SchedulerHarness(new PeerOptions
        {
            DialRate = 1000, DialBurst = 1000, BackoffMin = TimeSpan.FromMinutes(4), BackoffJitter = 0,
        });
        var fp = Peer.Fp(0x60);
        h.Directory.Add(Peer.At("192.168.1.7"), PeerSource.Lighthouse, fp, h.Now, new PeerHints(SchedulerHarness.Sector));
        await h.StartAsync();
        await h.AnswerNextAsync(d => d.Fail());
        await h.Advance(TimeSpan.FromMinutes(1));
        h.Status.Started.Should().Be(1);

        h.Scheduler.HeardAnew(fp);

        await h.Dialer.NextAsync();
        h.Status.Started.Should().Be(2);
    }

    [Fact]
    public async Task MaxSessions_Reached_NothingIsDialled_NotEvenAutoConnect()
    {
        await using var h = new SchedulerHarness(new PeerOptions { DialRate = 1000, DialBurst = 1000, MaxSessions = 3 });
        h.Sessions = 2;
        h.Directory.Add(Peer.At("192.168.1.7"), PeerSource.Lighthouse, Peer.Fp(0x60), h.Now, new PeerHints(SchedulerHarness.Sector));
        h.Directory.Add(Peer.At("192.168.1.8"), PeerSource.Lighthouse, Peer.Fp(0x61), h.Now, new PeerHints(SchedulerHarness.Sector));

        await h.StartAsync();
        await h.Advance(TimeSpan.FromMinutes(1));

        h.Status.Started.Should().Be(1, "two sessions and one dial fill the limit of three");
    }

    [Fact]
    public async Task Dispose_CancelsDialsInFlight_AndWaitsForThem()
    {
        var h = new SchedulerHarness(new PeerOptions { DialRate = 1000, DialBurst = 1000, MaxConcurrentDials = 4 });
        for (var i = 1; i <= 3; i++)
        {
            h.Directory.Add(Peer.At($"10.{i}.0.1"), PeerSource.Link, Peer.Fp((byte)(0x60 + i)), h.Now);
        }

        await h.StartAsync();
        var dials = new[] { await h.Dialer.NextAsync(), await h.Dialer.NextAsync(), await h.Dialer.NextAsync() };

        await h.Scheduler.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        dials.Should().OnlyContain(d => d.Token.IsCancellationRequested && d.Answer.Task.IsCanceled);
        h.Status.Should().Match<DialSchedulerStatus>(s => s.InFlight == 0 && s.Cancelled == 3);
        await h.DisposeAsync();
    }

    [Fact]
    public async Task RestoredQuiet_LinkOfAnEarlierRun_NotDialled_UntilHeardAnew()
    {
        await using var h = new SchedulerHarness();
        var quiet = Peer.Fp(0x60);
        var other = Peer.Fp(0x61);
        h.Directory.Add(Peer.At("10.1.0.1"), PeerSource.Link, quiet, h.Now);
        h.Directory.Add(Peer.At("10.2.0.1"), PeerSource.Link, other, h.Now);
        h.Scheduler.RestoreQuiet([quiet]);
        await h.StartAsync();

        (await h.Dialer.NextAsync()).Request.Expected.Should().Be(other);
        await h.Advance(TimeSpan.FromMinutes(5));
        h.Status.Should().Match<DialSchedulerStatus>(s => s.Started == 1 && s.Quiet == 1);

        h.Scheduler.HeardAnew(quiet);
        (await h.Dialer.NextAsync()).Request.Expected.Should().Be(quiet);
    }

    [Fact]
    public async Task QuietChanged_RaisedOnceWhenAPeerBecomesQuiet_AndWhenItIsLifted()
    {
        await using var h = new SchedulerHarness();
        var fp = Peer.Fp(0x60);
        var changes = new List<(Fingerprint, bool)>();
        h.Scheduler.QuietChanged += (f, q) => changes.Add((f, q));

        h.Scheduler.SessionEnded(fp, SessionEndCause.PeerLeft, dialledByThisNode: true);
        h.Scheduler.Forget(fp);
        h.Scheduler.SessionStarted(fp);
        h.Scheduler.SessionStarted(fp);

        changes.Should().Equal((fp, true), (fp, false));
    }
}
