using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Peers;
using OpenRed.Core.Storage;
using OpenRed.Core.Tests.Storage;

namespace OpenRed.Core.Tests.Peers;

public sealed class PeerDirectoryTests : IDisposable
{
    private static readonly PeerOptions Options = new() { ExchangeTtl = TimeSpan.FromHours(1), FlushInterval = TimeSpan.FromSeconds(5) };

    private readonly TempDir _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private string DbPath => _dir.Sub("openred.db");

    [Fact]
    public async Task Add_ThreeSourcesOneAddress_MergeOnOneCandidate()
    {
        using var db = SchedulerHarness.OpenDatabase(DbPath);
        await using var directory = Open(db);
        var fp = Peer.Fp(0x60);
        var sender = Peer.Fp(0x70);

        directory.Add(PeerAddress.Create("::ffff:192.168.1.7", 7900), PeerSource.Lighthouse, fp, _time.GetUtcNow(), new PeerHints("lan", "alice"));
        _time.Advance(TimeSpan.FromSeconds(3));
        directory.Add(Peer.At("192.168.1.7"), PeerSource.Exchange, fp, _time.GetUtcNow(), new PeerHints(Sender: sender));
        directory.Add(Peer.At("192.168.1.7"), PeerSource.Link, fp, _time.GetUtcNow());

        directory.Count.Should().Be(1);
        var c = directory.Find(Peer.At("192.168.1.7"))!;
        c.Sources.Select(s => s.Source).Should().BeEquivalentTo([PeerSource.Lighthouse, PeerSource.Exchange, PeerSource.Link]);
        c.Expected.Should().Be(fp);
        c.Sector.Should().Be("lan");
        c.NodeId.Should().Be("alice");
        c.Sender(_time.GetUtcNow()).Should().Be(sender);
        c.FirstHeard.Should().Be(c.LastHeard - TimeSpan.FromSeconds(3));
        directory.FindByFingerprint(fp).Should().ContainSingle();
        directory.Snapshot().LiveBySource.Should().Contain(PeerSource.Lighthouse, 1).And.Contain(PeerSource.Bootstrap, 0);
    }

    [Fact]
    public async Task SourceLost_OnlySourceLighthouse_RemovesCandidate_OtherSourcesKeepIt()
    {
        using var db = SchedulerHarness.OpenDatabase(DbPath);
        await using var directory = Open(db);
        var now = _time.GetUtcNow();
        directory.Add(Peer.At("10.0.0.1"), PeerSource.Lighthouse, Peer.Fp(1), now);
        directory.Add(Peer.At("10.0.0.2"), PeerSource.Lighthouse, Peer.Fp(2), now);
        directory.Add(Peer.At("10.0.0.2"), PeerSource.Link, Peer.Fp(2), now);

        directory.SourceLost(Peer.Fp(1), PeerSource.Lighthouse).Should().Be(1);
        directory.SourceLost(Peer.At("10.0.0.2"), PeerSource.Lighthouse).Should().BeTrue();

        directory.Find(Peer.At("10.0.0.1")).Should().BeNull();
        directory.Find(Peer.At("10.0.0.2"))!.Sources.Should().ContainSingle(s => s.Source == PeerSource.Link);
    }

    [Fact]
    public async Task Exchange_AfterTtl_IsNotLive_AndFlushPrunesIt()
    {
        using var db = SchedulerHarness.OpenDatabase(DbPath);
        await using var directory = Open(db);
        directory.Add(Peer.At("203.0.113.5"), PeerSource.Exchange, Peer.Fp(9), _time.GetUtcNow(), new PeerHints(Sender: Peer.Fp(8)));
        _time.Advance(TimeSpan.FromMinutes(59));
        directory.Snapshot().LiveBySource[PeerSource.Exchange].Should().Be(1);

        _time.Advance(TimeSpan.FromMinutes(1));

        directory.Snapshot().LiveBySource[PeerSource.Exchange].Should().Be(0);
        directory.Flush();
        directory.Count.Should().Be(0);
    }

    [Fact]
    public async Task Add_ExchangeContradictsKnownFingerprint_IsRefused_ConnectOverrulesVerified()
    {
        using var db = SchedulerHarness.OpenDatabase(DbPath);
        await using var directory = Open(db);
        var address = Peer.At("198.51.100.4");
        var now = _time.GetUtcNow();
        directory.Add(address, PeerSource.Link, Peer.Fp(1), now);
        directory.RecordSuccess(address, Peer.Fp(1), now);

        directory.Add(address, PeerSource.Exchange, Peer.Fp(2), now, new PeerHints(Sender: Peer.Fp(3))).Should().BeFalse();
        directory.Add(address, PeerSource.Lighthouse, Peer.Fp(2), now).Should().BeFalse();
        directory.Find(address)!.Expected.Should().Be(Peer.Fp(1));

        directory.Add(address, PeerSource.Connect, Peer.Fp(2), now).Should().BeTrue();
        directory.Find(address)!.Should().Match<PeerCandidate>(c => c.Expected == Peer.Fp(2) && !c.Verified);
    }

    [Fact]
    public async Task Add_BeaconRefreshingWhatIsKnown_RaisesNoChange_NewSourceDoes()
    {
        using var db = SchedulerHarness.OpenDatabase(DbPath);
        await using var directory = Open(db);
        var changes = 0;
        directory.Changed += () => changes++;
        directory.Add(Peer.At("10.0.0.1"), PeerSource.Lighthouse, Peer.Fp(1), _time.GetUtcNow(), new PeerHints("lan"));
        changes.Should().Be(1);

        directory.Add(Peer.At("10.0.0.1"), PeerSource.Lighthouse, Peer.Fp(1), _time.GetUtcNow(), new PeerHints("lan"));
        changes.Should().Be(1);

        directory.Add(Peer.At("10.0.0.1"), PeerSource.Link, Peer.Fp(1), _time.GetUtcNow());
        changes.Should().Be(2);
    }

    [Fact]
    public async Task Changes_AreWrittenBehind_NotPerAdd_AndSurviveARestart()
    {
        var now = _time.GetUtcNow();
        using (var db = SchedulerHarness.OpenDatabase(DbPath))
        {
            await using var directory = Open(db);
            directory.Add(Peer.At("seed.example.org", 7982), PeerSource.Bootstrap, null, now);
            directory.Add(Peer.At("203.0.113.9"), PeerSource.Exchange, Peer.Fp(9), now, new PeerHints(Sender: Peer.Fp(8)));
            directory.Add(Peer.At("192.168.1.2"), PeerSource.Lighthouse, Peer.Fp(2), now, new PeerHints("lan"));
            directory.RecordSuccess(Peer.At("seed.example.org", 7982), Peer.Fp(7), now);
            _time.Advance(TimeSpan.FromSeconds(1));
            directory.RecordFailure(Peer.At("203.0.113.9"), DialFailure.Refused, _time.GetUtcNow());
            directory.RecordFailure(Peer.At("203.0.113.9"), DialFailure.Unreachable, _time.GetUtcNow());

            CountRows(db).Should().Be(0, "nothing is written before the flush");
            directory.PendingWrites.Should().Be(2, "a beacon-only candidate is not stored");
        }

        using var reopened = SchedulerHarness.OpenDatabase(DbPath);
        CountRows(reopened).Should().Be(2);
        await using var again = Open(reopened);

        again.Count.Should().Be(2);
        var seed = again.Find(Peer.At("seed.example.org", 7982))!;
        seed.Expected.Should().Be(Peer.Fp(7));
        seed.Verified.Should().BeTrue();
        seed.LastSuccess.Should().Be(now);
        seed.Sources.Should().ContainSingle(s => s.Source == PeerSource.Bootstrap && s.ExpiresAt == null);
        var listed = again.Find(Peer.At("203.0.113.9"))!;
        listed.ConsecutiveFailures.Should().Be(2);
        listed.LastFailure.Should().Be(now + TimeSpan.FromSeconds(1));
        listed.LastFailureReason.Should().Be(DialFailure.Unreachable);
        listed.Sources.Should().ContainSingle(s => s.Source == PeerSource.Exchange && s.Sender == Peer.Fp(8) && s.ExpiresAt == now + TimeSpan.FromHours(1));
        again.Find(Peer.At("192.168.1.2")).Should().BeNull();
    }

    [Fact]
    public async Task FlushTimer_WritesBatchEveryInterval()
    {
        using var db = SchedulerHarness.OpenDatabase(DbPath);
        await using var directory = Open(db);
        directory.Add(Peer.At("seed.example.org", 7982), PeerSource.Bootstrap, null, _time.GetUtcNow());

        _time.Advance(Options.FlushInterval);

        await WaitFor(() => directory.PendingWrites == 0);
        CountRows(db).Should().Be(1);
    }

    [Fact]
    public async Task Restart_ExpiredExchangeEntries_AreNotLoaded()
    {
        using (var db = SchedulerHarness.OpenDatabase(DbPath))
        {
            await using var directory = Open(db);
            directory.Add(Peer.At("203.0.113.9"), PeerSource.Exchange, Peer.Fp(9), _time.GetUtcNow());
        }

        _time.Advance(TimeSpan.FromHours(2));
        using var reopened = SchedulerHarness.OpenDatabase(DbPath);
        await using var again = Open(reopened);

        again.Count.Should().Be(0);
    }

    [Fact]
    public async Task Add_WhenFull_EvictsLeastRecentlyHeardWithoutLastingSource()
    {
        using var db = SchedulerHarness.OpenDatabase(DbPath);
        await using var directory = new PeerDirectory(db, Options with { MaxCandidates = 2 }, _time, NullLogger<PeerDirectory>.Instance);
        directory.Add(Peer.At("10.0.0.1"), PeerSource.Exchange, Peer.Fp(1), _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(1));
        directory.Add(Peer.At("10.0.0.2"), PeerSource.Bootstrap, null, _time.GetUtcNow());

        directory.Add(Peer.At("10.0.0.3"), PeerSource.Exchange, Peer.Fp(3), _time.GetUtcNow()).Should().BeTrue();
        directory.Add(Peer.At("10.0.0.4"), PeerSource.Exchange, Peer.Fp(4), _time.GetUtcNow()).Should().BeTrue();

        directory.Find(Peer.At("10.0.0.1")).Should().BeNull();
        directory.Find(Peer.At("10.0.0.3")).Should().BeNull();
        directory.Find(Peer.At("10.0.0.2")).Should().NotBeNull();
        directory.Find(Peer.At("10.0.0.4")).Should().NotBeNull();
    }

    public void Dispose() => _dir.Dispose();

    private PeerDirectory Open(NodeDatabase db) => new(db, Options, _time, NullLogger<PeerDirectory>.Instance);

    private static long CountRows(NodeDatabase db)
    {
        using var c = db.OpenConnection();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM peer_candidates;";
        return (long)cmd.ExecuteScalar()!;
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
