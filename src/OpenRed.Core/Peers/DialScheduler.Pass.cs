using OpenRed.Core.Identity;
using OpenRed.Core.Peers.Internal;

namespace OpenRed.Core.Peers;

/// <summary>The loop and one pass over the directory.</summary>
public sealed partial class DialScheduler
{
    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            List<TaskCompletionSource> waiters;
            lock (_lock)
            {
                waiters = _passWaiters;
                _passWaiters = [];
            }

            try
            {
                wait = Pass(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug in one pass must not end dialling for the life of the node.
                PeersLog.PassFailed(_logger, e);
                wait = _options.IdleRecheck;
            }

            foreach (var waiter in waiters)
            {
                waiter.TrySetResult();
            }

            try
            {
                await _wake.WaitAsync(wait, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Starts what is due and returns how long the loop may sleep if nothing wakes it.</summary>
    private TimeSpan Pass(CancellationToken stopping)
    {
        var cancels = new List<(PeerAddress, CancellationTokenSource)>();
        var wait = Plan(cancels, stopping, out var rotate);

        // Outside the lock: a cancellation may run a dial's completion inline, and that takes the lock.
        foreach (var (address, cancel) in cancels)
        {
            try
            {
                PeersLog.DialCancelled(_logger, address.ToString());
                cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The dial ended meanwhile.
            }
        }

        if (rotate)
        {
            var next = RotateOne();
            wait = wait < next ? wait : next;
        }

        return wait;
    }

    private TimeSpan Plan(List<(PeerAddress, CancellationTokenSource)> cancels, CancellationToken stopping, out bool rotate)
    {
        var candidates = _directory.Candidates();
        var sessions = _hooks.SessionCount();
        var proven = SessionRotation.Proven(candidates);
        rotate = false;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var wakeAt = now + _options.IdleRecheck;
            var due = new List<DueCandidate>();
            var busyFingerprints = new HashSet<Fingerprint>();
            var fillInFlight = 0;
            var present = new HashSet<PeerAddress>();
            foreach (var c in candidates)
            {
                present.Add(c.Address);
                if (c.Expected is { } heard)
                {
                    NoteHeard(heard, now);
                }

                var state = StateOf(c, now);
                var verdict = DialPolicy.Evaluate(c, Input(c, state, now));
                Note(state, verdict);
                if (state.InFlight is { } attempt)
                {
                    // An attempt stops when its candidate is no longer wanted for good: every source expired, it
                    // is blocked or forgotten. A session that appeared meanwhile may be this very dial's, so
                    // Connected does not cancel.
                    if (verdict is DialVerdict.NoLiveSource or DialVerdict.Blocked or DialVerdict.Quiet or DialVerdict.Self)
                    {
                        Cancel(cancels, c.Address, attempt);
                    }

                    fillInFlight += attempt.Why == DialVerdict.FillTarget ? 1 : 0;
                    if (c.Expected is { } fp)
                    {
                        busyFingerprints.Add(fp);
                    }

                    continue;
                }

                if (!verdict.IsWanted())
                {
                    continue;
                }

                state.NotBefore ??= FirstDialTime(c, now);
                if (state.NotBefore > now)
                {
                    wakeAt = Min(wakeAt, state.NotBefore.Value);
                    continue;
                }

                due.Add(new DueCandidate(
                    c, verdict, c.Sender(now), _directory.SendersOf(c.Address), SessionRotation.IsNew(c, verdict, now, proven, _options.NewCandidateFor),
                    c.Expected is { } e && _rotatedOut.TryGetValue(e, out var held) && held > now,
                    c.Expected is { } m && _lastMet.TryGetValue(m, out var met) ? met : null));
            }

            _heardSeeded = true;

            CancelOrphans(present, cancels);
            ForgetIdleStates(present);
            foreach (var expired in _reconnectUntil.Where(r => r.Value <= now).Select(r => r.Key).ToList())
            {
                _reconnectUntil.Remove(expired);
            }

            ForgetOldRotationState(now);

            // Only one dial per fingerprint at a time, and fill dials only up to the target.
            var belowTarget = sessions + fillInFlight < _options.TargetSessions;
            rotate = RotationDue(due, belowTarget || fillInFlight > 0 || stopping.IsCancellationRequested, now, ref wakeAt);
            due.RemoveAll(d =>
                (d.Candidate.Expected is { } fp && busyFingerprints.Contains(fp))
                || (d.Verdict == DialVerdict.FillTarget && !belowTarget));
            _due = due.Count;
            var inFlight = _states.Where(s => s.Value.InFlight is not null).ToList();

            // At the session limit no dial could end in a session; the next session end or pass looks again.
            if (due.Count == 0 || stopping.IsCancellationRequested || sessions + inFlight.Count >= _options.MaxSessions)
            {
                return Until(wakeAt, now);
            }

            var slots = Math.Min(_options.MaxConcurrentDials, _options.MaxSessions - sessions) - inFlight.Count;
            var picks = DialRanking.Spread(DialRanking.Order(due, now, _newFirst), Math.Max(0, slots), inFlight.Select(s => s.Key.SpreadGroup));
            foreach (var pick in picks)
            {
                if (pick.Verdict == DialVerdict.FillTarget && sessions + fillInFlight >= _options.TargetSessions)
                {
                    continue;
                }

                if (pick.Candidate.Expected is { } fp && !busyFingerprints.Add(fp))
                {
                    continue;
                }

                if (!_budget.TryTake())
                {
                    Note(_states[pick.Candidate.Address], DialSkipReason.Rate);
                    wakeAt = Min(wakeAt, now + TimeSpan.FromSeconds(1 / _options.DialRate));
                    break;
                }

                fillInFlight += pick.Verdict == DialVerdict.FillTarget ? 1 : 0;
                _newFirst &= pick.Verdict != DialVerdict.FillTarget;
                _due--;
                StartDial(pick, now, stopping);
            }

            return Until(wakeAt, now);
        }
    }

    private PolicyInput Input(PeerCandidate c, DialState state, DateTimeOffset now)
    {
        var fp = c.Expected;
        return new PolicyInput(
            _hooks.Self,
            _hooks.Sector,
            now,
            _hooks.IsOwnAddress(c.Address),
            fp is not null && _hooks.IsBlocked(fp),
            fp is not null && _hooks.IsConnected(fp),
            fp is not null && _quiet.Contains(fp),
            fp is not null && _reconnectUntil.TryGetValue(fp, out var until) && until > now,
            state.BeaconAttempts,
            _options.BeaconOnlyMaxAttempts,
            _options.FillSources);
    }

    private DialState StateOf(PeerCandidate c, DateTimeOffset now)
    {
        if (!_states.TryGetValue(c.Address, out var state))
        {
            _states[c.Address] = state = new DialState();
        }

        // A beacon source that was lost and found again is a new episode: its attempts start over.
        var beacon = c.Find(PeerSource.Lighthouse);
        if (beacon is not null && beacon.IsLive(now) && beacon.Since != state.BeaconSince)
        {
            state.BeaconSince = beacon.Since;
            state.BeaconAttempts = 0;
        }

        return state;
    }

    // After a restart the stored failures still count: the first dial waits out what is left of the backoff.
    private DateTimeOffset FirstDialTime(PeerCandidate c, DateTimeOffset now) =>
        c.LastFailure is { } last && c.ConsecutiveFailures > 0
            ? Min(now + _options.BackoffMax, last + Backoff.Delay(c.ConsecutiveFailures, _options, _random()))
            : now;

    private void Note(DialState state, DialVerdict verdict) =>
        Note(state, verdict switch
        {
            DialVerdict.Self => DialSkipReason.Self,
            DialVerdict.Blocked => DialSkipReason.Blocked,
            DialVerdict.BeaconAttemptsUsed => DialSkipReason.BeaconAttemptsUsed,
            _ => state.Noted == DialSkipReason.Rate && verdict.IsWanted() ? DialSkipReason.Rate : null,
        });

    private void Note(DialState state, DialSkipReason? reason)
    {
        if (reason is { } r && state.Noted != r)
        {
            _skipped[r] = _skipped.GetValueOrDefault(r) + 1;
        }

        state.Noted = reason;
    }

    // Dials whose candidate left the directory altogether (pruned, or its last source lost).
    private void CancelOrphans(HashSet<PeerAddress> present, List<(PeerAddress, CancellationTokenSource)> cancels)
    {
        foreach (var (address, state) in _states)
        {
            if (state.InFlight is { } attempt && !present.Contains(address))
            {
                Cancel(cancels, address, attempt);
            }
        }
    }

    private void ForgetIdleStates(HashSet<PeerAddress> present)
    {
        foreach (var address in _states.Where(s => s.Value.InFlight is null && !present.Contains(s.Key)).Select(s => s.Key).ToList())
        {
            _states.Remove(address);
        }
    }

    private static void Cancel(List<(PeerAddress, CancellationTokenSource)> cancels, PeerAddress address, DialAttempt attempt)
    {
        if (!attempt.Cancelling)
        {
            attempt.Cancelling = true;
            cancels.Add((address, attempt.Cancel));
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static TimeSpan Until(DateTimeOffset at, DateTimeOffset now) =>
        at > now ? at - now : TimeSpan.FromMilliseconds(1);
}
