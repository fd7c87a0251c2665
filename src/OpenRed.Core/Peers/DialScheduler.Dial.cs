using OpenRed.Core.Peers.Internal;

namespace OpenRed.Core.Peers;

/// <summary>One dial: started by a pass under the lock, run on the thread pool, its outcome recorded.</summary>
public sealed partial class DialScheduler
{
    /// <summary>Raised after a dial's outcome is recorded; null for a cancelled dial. For tests and diagnostics.</summary>
    internal event Action<DialRequest, DialOutcome?>? DialCompleted;

    // Called under the lock.
    private void StartDial(DueCandidate pick, DateTimeOffset now, CancellationToken stopping)
    {
        var c = pick.Candidate;
        var state = _states[c.Address];
        var attempt = new DialAttempt(
            new DialRequest(c.Address, c.Expected), pick.Verdict, CancellationTokenSource.CreateLinkedTokenSource(stopping));
        state.InFlight = attempt;
        state.Noted = null;
        if (c.IsBeaconOnly(now))
        {
            state.BeaconAttempts++;
        }

        _started++;
        PeersLog.Dialling(_logger, c.Address.ToString(), c.Expected?.Short ?? "any", pick.Verdict.ToString());
        attempt.Task = DialAsync(attempt, attempt.Cancel.Token);
    }

    private async Task DialAsync(DialAttempt attempt, CancellationToken cancellationToken)
    {
        // Off the pass's lock before the node's code runs.
        await Task.Yield();
        DialOutcome? outcome;
        try
        {
            outcome = await _hooks.Dial(attempt.Request, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The delegate should not throw; if it does, the address is treated as unreachable rather than lost.
            PeersLog.DialThrew(_logger, attempt.Request.Address.ToString(), e);
            outcome = DialOutcome.Failed(DialFailure.Unreachable);
        }

        Complete(attempt, outcome);
    }

    private void Complete(DialAttempt attempt, DialOutcome? outcome)
    {
        var address = attempt.Request.Address;
        var now = _time.GetUtcNow();

        // The directory first, outside our lock: it raises Changed, which wakes the loop.
        if (outcome?.Peer is { } peer)
        {
            _directory.RecordSuccess(address, peer, now);
        }
        else if (outcome?.Failure is DialFailure.Self)
        {
            _directory.RecordSuccess(address, _hooks.Self, now);
        }
        else if (outcome?.Failure is { } failure and not DialFailure.NotAttempted)
        {
            _directory.RecordFailure(address, failure, now);
        }

        var failures = _directory.Find(address)?.ConsecutiveFailures ?? 1;
        lock (_lock)
        {
            if (_states.TryGetValue(address, out var state) && ReferenceEquals(state.InFlight, attempt))
            {
                state.InFlight = null;
                state.NotBefore = outcome switch
                {
                    null => now,
                    { Succeeded: true } => now,
                    { Failure: DialFailure.NotAttempted } => now + _options.BackoffMin,
                    _ => now + Backoff.Delay(Math.Max(1, failures), _options, _random()),
                };
                if (outcome?.Succeeded == true)
                {
                    state.BeaconAttempts = 0;
                }
            }

            switch (outcome)
            {
                case null:
                    _cancelled++;
                    break;
                case { Succeeded: true }:
                    _succeeded++;
                    _reconnectUntil.Remove(outcome.Peer!);
                    break;
                default:
                    _failed++;
                    break;
            }
        }

        LogOutcome(address, outcome, now);
        attempt.Cancel.Dispose();
        DialCompleted?.Invoke(attempt.Request, outcome);
        Wake();
    }

    private void LogOutcome(PeerAddress address, DialOutcome? outcome, DateTimeOffset now)
    {
        if (outcome?.Peer is { } peer)
        {
            if (peer == _hooks.Self)
            {
                PeersLog.IsSelf(_logger, address.ToString());
            }
            else
            {
                PeersLog.DialSucceeded(_logger, address.ToString(), peer.Short);
            }
        }
        else if (outcome?.Failure is DialFailure.Self)
        {
            PeersLog.IsSelf(_logger, address.ToString());
        }
        else if (outcome?.Failure is { } failure)
        {
            DialState? state;
            lock (_lock)
            {
                state = _states.GetValueOrDefault(address);
            }

            PeersLog.DialFailed(_logger, address.ToString(), failure, ((state?.NotBefore ?? now) - now).TotalSeconds);
        }
    }
}
