using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Identity;
using OpenRed.Core.Peers;
using OpenRed.Core.Storage;
using OpenRed.Core.Tests.Storage;

namespace OpenRed.Core.Tests.Peers;

/// <summary>A directory on a real SQLite file, a scheduler on a fake clock, and a fake dial.</summary>
internal sealed class SchedulerHarness : IAsyncDisposable
{
    public const string Sector = "lan";

    private readonly TempDir _dir = new();
    private readonly NodeDatabase _db;
    private readonly Channel<(DialRequest Request, DialOutcome? Outcome)> _completions = Channel.CreateUnbounded<(DialRequest, DialOutcome?)>();

    public SchedulerHarness(PeerOptions? options = null, Func<double>? random = null)
    {
        // These tests exercise the whole fill policy, lighthouse-and-link candidates included (the default leaves out the lighthouse only).
        Options = (options ?? new PeerOptions { DialRate = 1000, DialBurst = 1000, BackoffJitter = 0 }) with { FillSources = null };
        _db = OpenDatabase(_dir.Sub("openred.db"));
        Directory = new PeerDirectory(_db, Options, Time, NullLogger<PeerDirectory>.Instance);
        var hooks = new DialHooks(Self, Sector, Dialer.DialAsync, Connected.ContainsKey, Blocked.ContainsKey, () => Sessions)
        {
            IsOwnAddress = OwnAddresses.ContainsKey,
            Sessions = () => [.. Views.Values],
            Rotate = CloseRotated,
        };
        Scheduler = new DialScheduler(Directory, hooks, Options, Time, NullLogger<DialScheduler>.Instance, random ?? (() => 0.5));
        Scheduler.DialCompleted += (r, o) => _completions.Writer.TryWrite((r, o));
    }

    public static Fingerprint Self { get; } = Peer.Fp(0x50);

    public PeerOptions Options { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public PeerDirectory Directory { get; }

    public DialScheduler Scheduler { get; }

    public FakeDialer Dialer { get; } = new();

    public ConcurrentDictionary<Fingerprint, bool> Connected { get; } = new();

    public ConcurrentDictionary<Fingerprint, bool> Blocked { get; } = new();

    public ConcurrentDictionary<PeerAddress, bool> OwnAddresses { get; } = new();

    public int Sessions { get; set; }

    /// <summary>Sessions as rotation sees them; <see cref="Open"/> adds one, a rotation closes it at once.</summary>
    public ConcurrentDictionary<Fingerprint, SessionView> Views { get; } = new();

    /// <summary>Peers whose session a rotation closed, in order.</summary>
    public ConcurrentQueue<Fingerprint> Rotated { get; } = new();

    /// <summary>A session up with <paramref name="peer"/>: connected, counted, visible to rotation.</summary>
    public void Open(Fingerprint peer, bool outbound, bool friend = false, TimeSpan? idle = null)
    {
        Views[peer] = new SessionView(peer, outbound, friend, Now - (idle ?? TimeSpan.Zero));
        Connected[peer] = true;
        Sessions = Views.Count;
    }

    public DateTimeOffset Now => Time.GetUtcNow();

    public DialSchedulerStatus Status => Scheduler.Status();

    public static NodeDatabase OpenDatabase(string path) =>
        NodeDatabase.Open(path, NullLogger.Instance, [.. Migrations.All, PeerDirectoryStore.At(Migrations.Latest + 1)]);

    /// <summary>Starts the scheduler and waits for its first pass.</summary>
    public Task StartAsync()
    {
        Scheduler.Start();
        return Pass();
    }

    /// <summary>Waits for a whole pass that began after the call.</summary>
    public Task Pass() => Scheduler.NextPassAsync().WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>Moves the clock, then waits for a pass that sees the new time.</summary>
    public Task Advance(TimeSpan by)
    {
        Time.Advance(by);
        return Pass();
    }

    public async Task<(DialRequest Request, DialOutcome? Outcome)> NextCompletionAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _completions.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Answers the next dial and waits until the scheduler has recorded the outcome.</summary>
    public async Task<PendingDial> AnswerNextAsync(Action<PendingDial> answer)
    {
        var dial = await Dialer.NextAsync();
        answer(dial);
        await NextCompletionAsync();
        return dial;
    }

    // What the node does: an orderly close, which the mesh reports as a session this node ended to make room.
    private void CloseRotated(Fingerprint peer)
    {
        Rotated.Enqueue(peer);
        Views.TryRemove(peer, out _);
        Connected.TryRemove(peer, out _);
        Sessions = Views.Count;
        Scheduler.SessionEnded(peer, SessionEndCause.Evicted, dialledByThisNode: true);
    }

    public async ValueTask DisposeAsync()
    {
        await Scheduler.DisposeAsync();
        await Directory.DisposeAsync();
        _db.Dispose();
        _dir.Dispose();
    }
}
