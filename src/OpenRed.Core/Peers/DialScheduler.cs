using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Identity;
using OpenRed.Core.Limits;
using OpenRed.Core.Peers.Internal;

namespace OpenRed.Core.Peers;

/// <summary>
/// The node's one dialler. A single loop looks at the <see cref="PeerDirectory"/> whenever it changes, a dial
/// ends, the node reports a session event, or a backoff or the rate budget runs out, and starts the dials the
/// policy wants: ranked, spread over /16s, one a second in all (section 11), never two to one address or
/// fingerprint at once, each candidate with its own backoff.
/// </summary>
public sealed partial class DialScheduler : IAsyncDisposable
{
    private readonly PeerDirectory _directory;
    private readonly DialHooks _hooks;
    private readonly PeerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<double> _random;
    private readonly TokenBucket _budget;
    private readonly AsyncSignal _wake = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();

    private readonly Dictionary<PeerAddress, DialState> _states = [];
    private readonly HashSet<Fingerprint> _quiet = [];
    private readonly Dictionary<Fingerprint, DateTimeOffset> _reconnectUntil = [];
    private readonly Dictionary<DialSkipReason, long> _skipped = [];
    private List<TaskCompletionSource> _passWaiters = [];
    private long _started;
    private long _succeeded;
    private long _failed;
    private long _cancelled;
    private int _due;
    private Task? _loop;

    /// <param name="random">Uniform numbers in [0, 1) for the backoff jitter; <see cref="Random.Shared"/> by default.</param>
    public DialScheduler(
        PeerDirectory directory, DialHooks hooks, PeerOptions options, TimeProvider time, ILogger<DialScheduler> logger, Func<double>? random = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(hooks);
        ArgumentNullException.ThrowIfNull(options);
        _directory = directory;
        _hooks = hooks;
        _options = options;
        _time = time;
        _logger = logger;
        _random = random ?? Random.Shared.NextDouble;
        _budget = new TokenBucket(options.DialRate, options.DialBurst, time);
        _directory.Changed += Wake;
    }

    /// <summary>Starts the loop; the first pass runs at once.</summary>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            _loop ??= RunAsync(_stopping.Token);
        }
    }

    /// <summary>
    /// Raised, outside the lock, when a peer becomes quiet (true) or stops being quiet (false), so the node can keep
    /// the mark across a restart: a person's disconnect sticks.
    /// </summary>
    public event Action<Fingerprint, bool>? QuietChanged;

    /// <summary>Peers that were quiet when the node last stopped; call before <see cref="Start"/>.</summary>
    public void RestoreQuiet(IEnumerable<Fingerprint> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        lock (_lock)
        {
            _quiet.UnionWith(peers);
        }
    }

    /// <summary>Asks for a pass soon (a block list or session count changed, say). Cheap; many calls make one pass.</summary>
    public void Wake() => _wake.Set();

    /// <summary>A session with <paramref name="peer"/> is up, in either direction: it is neither quiet nor being reconnected.</summary>
    public void SessionStarted(Fingerprint peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        bool lifted;
        lock (_lock)
        {
            lifted = _quiet.Remove(peer);
            _reconnectUntil.Remove(peer);

            // A newcomer's inbound session is news too: no list named it yet.
            var now = _time.GetUtcNow();
            NoteHeard(peer, now);
            NoteMet(peer, now);
        }

        Changed(peer, lifted, false);
    }

    /// <summary>
    /// A session with <paramref name="peer"/> ended. A lost session this node dialled is redialled for
    /// <see cref="PeerOptions.ReconnectFor"/>; a deliberate end makes the peer quiet (see <see cref="SessionEndCause"/>).
    /// </summary>
    public void SessionEnded(Fingerprint peer, SessionEndCause cause, bool dialledByThisNode)
    {
        ArgumentNullException.ThrowIfNull(peer);
        string decision;
        var quieted = false;
        lock (_lock)
        {
            NoteMet(peer, _time.GetUtcNow());
            switch (cause)
            {
                case SessionEndCause.ConnectionLost or SessionEndCause.IdleTimeout or SessionEndCause.SendStalled or SessionEndCause.PeerShuttingDown
                    when dialledByThisNode:
                    var now = _time.GetUtcNow();
                    _reconnectUntil[peer] = now + _options.ReconnectFor;
                    ForEachState(peer, s => s.NotBefore = now);
                    decision = "reconnecting";
                    break;
                case SessionEndCause.PeerLeft or SessionEndCause.ClosedByUser or SessionEndCause.Violation:
                    quieted = _quiet.Add(peer);
                    _reconnectUntil.Remove(peer);
                    decision = "quiet until heard anew";
                    break;
                default:
                    decision = dialledByThisNode ? "no redial" : "the peer dialled us; it redials";
                    break;
            }
        }

        PeersLog.SessionEnded(_logger, peer.Short, cause, decision);
        Changed(peer, quieted, true);
    }

    /// <summary>
    /// The lighthouse discovered <paramref name="peer"/> again or saw it restart: it is no longer quiet, and the
    /// wait of its backoff is cut short (the next dial may start at once; a failure still counts from its history).
    /// </summary>
    public void HeardAnew(Fingerprint peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        bool lifted;
        lock (_lock)
        {
            lifted = _quiet.Remove(peer);
            var now = _time.GetUtcNow();
            ForEachState(peer, s => s.NotBefore = now);
        }

        Changed(peer, lifted, false);
    }

    /// <summary>A person connected to <paramref name="peer"/>: whatever made it quiet no longer holds.</summary>
    public void ConnectedByUser(Fingerprint peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        bool lifted;
        lock (_lock)
        {
            lifted = _quiet.Remove(peer);
        }

        Changed(peer, lifted, false);
    }

    /// <summary>A person disconnected <paramref name="peer"/>: dials to it stop, and it is quiet until heard anew.</summary>
    public void Forget(Fingerprint peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        bool quieted;
        lock (_lock)
        {
            quieted = _quiet.Add(peer);
            _reconnectUntil.Remove(peer);
        }

        Changed(peer, quieted, true);
    }

    public DialSchedulerStatus Status()
    {
        var bySource = _directory.Snapshot().LiveBySource;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            return new DialSchedulerStatus(
                _started,
                _succeeded,
                _failed,
                _cancelled,
                Enum.GetValues<DialSkipReason>().ToImmutableDictionary(r => r, r => _skipped.GetValueOrDefault(r)),
                _states.Values.Count(s => s.InFlight is not null),
                _due,
                _reconnectUntil.Count(r => r.Value > now),
                _quiet.Count,
                bySource)
            {
                Rotations = _rotations,
                NewCandidates = _newCandidates,
            };
        }
    }

    /// <summary>Cancels the dials in progress and waits for them, at most <see cref="PeerOptions.StopTimeout"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_lock)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            _directory.Changed -= Wake;
            _stopping.Cancel();
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop;
        }

        Task[] dials;
        lock (_lock)
        {
            dials = [.. _states.Values.Select(s => s.InFlight?.Task).OfType<Task>()];
        }

        try
        {
            await Task.WhenAll(dials).WaitAsync(_options.StopTimeout, _time);
        }
        catch (TimeoutException)
        {
            PeersLog.StopTimedOut(_logger, dials.Count(d => !d.IsCompleted));
        }

        lock (_lock)
        {
            foreach (var waiter in _passWaiters)
            {
                waiter.TrySetCanceled();
            }
        }
    }

    /// <summary>Completes after a pass that began after this call (tests wait on it instead of sleeping).</summary>
    internal Task NextPassAsync()
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _passWaiters.Add(waiter);
        }

        Wake();
        return waiter.Task;
    }

    private void Changed(Fingerprint peer, bool quietChanged, bool quiet)
    {
        if (quietChanged)
        {
            QuietChanged?.Invoke(peer, quiet);
        }

        Wake();
    }

    // Called under the lock.
    private void ForEachState(Fingerprint peer, Action<DialState> change)
    {
        foreach (var c in _directory.FindByFingerprint(peer))
        {
            if (_states.TryGetValue(c.Address, out var state))
            {
                change(state);
            }
        }
    }
}
