namespace OpenRed.Core.Security.Internal;

/// <summary>
/// The handshake's clocks: the total deadline plus at most one phase deadline at a time, on the injected
/// <see cref="TimeProvider"/>. <see cref="Token"/> fires on any of them or on the caller's token. The deadlines wait in
/// the process's <see cref="DeadlineScheduler"/>: a handshake owns one cancellation source and no timer.
/// </summary>
internal sealed class HandshakeDeadlines : IDisposable
{
    private const int NoneExpired = 0;
    private const int TotalExpired = 1;
    private const int PhaseExpired = 2;

    private readonly DeadlineScheduler _scheduler;
    private readonly CancellationToken _caller;
    private readonly TimeSpan _totalLimit;
    private readonly CancellationTokenSource _cts;
    private readonly DeadlineScheduler.Entry _total;
    private DeadlineScheduler.Entry? _phase;
    private string _expiredWhat = "";
    private TimeSpan _expiredLimit;
    private int _expired;

    public HandshakeDeadlines(TimeProvider time, TimeSpan total, CancellationToken caller)
    {
        _scheduler = DeadlineScheduler.For(time);
        _caller = caller;
        _totalLimit = total;
        _cts = caller.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(caller) : new CancellationTokenSource();
        _total = _scheduler.Schedule(total, static s => ((HandshakeDeadlines)s!).Expire(TotalExpired, "", default), this);
    }

    public CancellationToken Token => _cts.Token;

    /// <summary>Starts a phase deadline, e.g. "REQUEST" within 5 s; replaces the previous phase.</summary>
    public void StartPhase(TimeSpan limit, string what)
    {
        EndPhase();
        _phase = _scheduler.Schedule(limit, static s => ((PhaseState)s!).Expire(), new PhaseState(this, what, limit));
    }

    public void EndPhase()
    {
        _phase?.Cancel();
        _phase = null;
    }

    /// <summary>The failure for a cancellation seen while waiting, or null when the caller cancelled.</summary>
    public HandshakeFailedException? Expired()
    {
        if (_caller.IsCancellationRequested)
        {
            return null;
        }

        return Volatile.Read(ref _expired) switch
        {
            TotalExpired => new HandshakeFailedException(HandshakeFailure.Timeout, $"handshake did not finish within {_totalLimit.TotalSeconds:0.###} s"),
            PhaseExpired => new HandshakeFailedException(HandshakeFailure.Timeout, $"no {_expiredWhat} within {_expiredLimit.TotalSeconds:0.###} s"),
            _ => null,
        };
    }

    public void Dispose()
    {
        _total.Cancel();
        _phase?.Cancel();
        _cts.Dispose();
    }

    private sealed record PhaseState(HandshakeDeadlines Deadlines, string What, TimeSpan Limit)
    {
        public void Expire() => Deadlines.Expire(PhaseExpired, What, Limit);
    }

    private void Expire(int kind, string what, TimeSpan limit)
    {
        if (Interlocked.CompareExchange(ref _expired, -1, NoneExpired) != NoneExpired)
        {
            return;
        }

        _expiredWhat = what;
        _expiredLimit = limit;
        Volatile.Write(ref _expired, kind);
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The handshake ended meanwhile.
        }
    }
}
