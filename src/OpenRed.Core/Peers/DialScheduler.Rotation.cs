using OpenRed.Core.Identity;
using OpenRed.Core.Peers.Internal;

namespace OpenRed.Core.Peers;

/// <summary>
/// Session rotation (<see cref="SessionRotation"/>, <see cref="PeerOptions.RotateEvery"/>): at the target, with new
/// exchange candidates, one outbound session is closed each period; the fill then dials the best new candidate.
/// </summary>
public sealed partial class DialScheduler
{
    private readonly Dictionary<Fingerprint, DateTimeOffset> _rotatedOut = [];
    private DateTimeOffset? _nextRotation;
    private bool _newFirst;
    private long _rotations;
    private int _newCandidates;

    // Called under the lock. The period starts when the node is at its target with something new to meet; anything
    // else (below the target, a fill dial in flight, nothing new) stops the clock.
    private bool RotationDue(List<DueCandidate> due, bool notNow, DateTimeOffset now, ref DateTimeOffset wakeAt)
    {
        _newCandidates = due.Count(d => d.New);
        if (_newCandidates == 0)
        {
            _newFirst = false;
        }

        if (_options.RotateEvery <= TimeSpan.Zero || notNow || _newCandidates == 0)
        {
            _nextRotation = null;
            return false;
        }

        _nextRotation ??= now + RotationPeriod();
        if (_nextRotation > now)
        {
            wakeAt = Min(wakeAt, _nextRotation.Value);
            return false;
        }

        return true;
    }

    /// <summary>Closes the chosen session, outside the lock; returns how long until the next rotation may be due.</summary>
    private TimeSpan RotateOne()
    {
        var now = _time.GetUtcNow();
        var kept = SessionRotation.Kept(_directory.Candidates(), now);
        var victim = SessionRotation.Victim(_hooks.Sessions(), kept);
        var period = RotationPeriod();
        lock (_lock)
        {
            _nextRotation = now + period;
            if (victim is null)
            {
                // Every session is inbound, a friend's or kept: nothing to rotate this period.
                return period;
            }

            _rotations++;
            _rotatedOut[victim.Peer] = now + _options.RotatedOutFor;
            _newFirst = true;
        }

        PeersLog.Rotating(_logger, victim.Peer.Short, _newCandidates);
        _hooks.Rotate(victim.Peer);
        return period;
    }

    private TimeSpan RotationPeriod() =>
        _options.RotateEvery * (1 + (_options.BackoffJitter * ((2 * _random()) - 1)));
}
