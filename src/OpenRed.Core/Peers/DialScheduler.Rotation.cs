using OpenRed.Core.Identity;
using OpenRed.Core.Peers.Internal;

namespace OpenRed.Core.Peers;

/// <summary>
/// Session rotation (<see cref="SessionRotation"/>, <see cref="PeerOptions.RotateEvery"/>): at the target, with new
/// exchange candidates or fresh news, one outbound session is closed each period; the fill then dials the best new
/// candidate, or else the peer met longest ago.
/// </summary>
public sealed partial class DialScheduler
{
    // Fingerprints heard of in this run; past the cap nothing more counts as news (rotation then runs only for
    // candidates not met yet), which bounds the set on a network of thousands.
    private const int HeardCap = 16_384;

    private readonly Dictionary<Fingerprint, DateTimeOffset> _rotatedOut = [];
    private readonly HashSet<Fingerprint> _heard = [];
    private readonly Dictionary<Fingerprint, DateTimeOffset> _lastMet = [];
    private bool _heardSeeded;
    private DateTimeOffset? _lastNews;
    private DateTimeOffset? _nextRotation;
    private bool _newFirst;
    private long _rotations;
    private int _newCandidates;

    // Called under the lock. A fingerprint first heard of in this run is news; the candidates the first pass finds
    // (the directory of an earlier run) are not.
    private void NoteHeard(Fingerprint peer, DateTimeOffset now)
    {
        if (_heard.Count < HeardCap && _heard.Add(peer) && _heardSeeded)
        {
            _lastNews = now;
        }
    }

    // Called under the lock: a session started or ended with the peer; the freed slot of a rotation without a new
    // candidate goes to the peer met longest ago, whose list is likeliest to hold what this node lacks.
    private void NoteMet(Fingerprint peer, DateTimeOffset now) => _lastMet[peer] = now;

    private bool NewsFresh(DateTimeOffset now) =>
        _lastNews is { } at && _options.RotateAfterNewsFor > TimeSpan.Zero && now - at < _options.RotateAfterNewsFor;

    // Called under the lock. The period starts when the node is at its target with something to meet: a new
    // candidate, or fresh news and a peer to dial instead of the one closed. Anything else (below the target, a fill
    // dial in flight, nothing new) stops the clock, so a settled mesh goes quiet.
    private bool RotationDue(List<DueCandidate> due, bool notNow, DateTimeOffset now, ref DateTimeOffset wakeAt)
    {
        _newCandidates = due.Count(d => d.New);
        var worth = _newCandidates > 0
            || (NewsFresh(now) && due.Any(d => d.Verdict == DialVerdict.FillTarget && !d.RotatedOut));
        if (!worth)
        {
            _newFirst = false;
        }

        if (_options.RotateEvery <= TimeSpan.Zero || notNow || !worth)
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
        TimeSpan? sinceNews;
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
            sinceNews = now - _lastNews;
        }

        PeersLog.Rotating(_logger, victim.Peer.Short, _newCandidates, sinceNews?.TotalSeconds ?? -1);
        _hooks.Rotate(victim.Peer);
        return period;
    }

    // Called under the lock.
    private void ForgetOldRotationState(DateTimeOffset now)
    {
        foreach (var expired in _rotatedOut.Where(r => r.Value <= now).Select(r => r.Key).ToList())
        {
            _rotatedOut.Remove(expired);
        }

        // Older than an hour ranks as never met: both make the peer the first to meet again.
        foreach (var old in _lastMet.Where(m => now - m.Value > _options.ExchangeTtl).Select(m => m.Key).ToList())
        {
            _lastMet.Remove(old);
        }
    }

    private TimeSpan RotationPeriod() =>
        _options.RotateEvery * (1 + (_options.BackoffJitter * ((2 * _random()) - 1)));
}
