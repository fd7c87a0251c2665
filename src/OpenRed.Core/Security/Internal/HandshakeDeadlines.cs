namespace OpenRed.Core.Security.Internal;

/// <summary>
/// The handshake's clocks: the total deadline plus at most one phase deadline at a time, all on the
/// injected <see cref="TimeProvider"/>. <see cref="Token"/> fires on any of them or on the caller's token.
/// </summary>
internal sealed class HandshakeDeadlines : IDisposable
{
    private readonly TimeProvider _time;
    private readonly CancellationToken _caller;
    private readonly TimeSpan _totalLimit;
    private readonly CancellationTokenSource _total;
    private CancellationTokenSource _linked;
    private CancellationTokenSource? _phase;
    private string _phaseWhat = "";
    private TimeSpan _phaseLimit;

    public HandshakeDeadlines(TimeProvider time, TimeSpan total, CancellationToken caller)
    {
        _time = time;
        _caller = caller;
        _totalLimit = total;
        _total = new CancellationTokenSource(total, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _total.Token);
    }

    public CancellationToken Token => _linked.Token;

    /// <summary>Starts a phase deadline, e.g. "REQUEST" within 5 s; replaces the previous phase.</summary>
    public void StartPhase(TimeSpan limit, string what)
    {
        EndPhase();
        _phase = new CancellationTokenSource(limit, _time);
        _phaseWhat = what;
        _phaseLimit = limit;
        _linked.Dispose();
        _linked = CancellationTokenSource.CreateLinkedTokenSource(_caller, _total.Token, _phase.Token);
    }

    public void EndPhase()
    {
        if (_phase is null)
        {
            return;
        }

        _linked.Dispose();
        _linked = CancellationTokenSource.CreateLinkedTokenSource(_caller, _total.Token);
        _phase.Dispose();
        _phase = null;
    }

    /// <summary>The failure for a cancellation seen while waiting, or null when the caller cancelled.</summary>
    public HandshakeFailedException? Expired()
    {
        if (_caller.IsCancellationRequested)
        {
            return null;
        }

        if (_total.IsCancellationRequested)
        {
            return new HandshakeFailedException(HandshakeFailure.Timeout, $"handshake did not finish within {_totalLimit.TotalSeconds:0.###} s");
        }

        if (_phase is { IsCancellationRequested: true })
        {
            return new HandshakeFailedException(HandshakeFailure.Timeout, $"no {_phaseWhat} within {_phaseLimit.TotalSeconds:0.###} s");
        }

        return null;
    }

    public void Dispose()
    {
        _linked.Dispose();
        _phase?.Dispose();
        _total.Dispose();
    }
}
