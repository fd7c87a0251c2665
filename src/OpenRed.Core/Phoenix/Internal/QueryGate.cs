using OpenRed.Core.Identity;
using OpenRed.Core.Limits;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>Section 8's per-session query limits: 5 a second (burst 10) and 16 open at once.</summary>
internal sealed class QueryGate(PhoenixOptions options, TimeProvider time)
{
    private readonly Dictionary<Fingerprint, Entry> _sessions = [];
    private readonly Lock _lock = new();

    /// <summary>Null when the query may proceed (then <see cref="Exit"/> must follow); else the refusal kind.</summary>
    public string? TryEnter(Fingerprint peer)
    {
        lock (_lock)
        {
            if (!_sessions.TryGetValue(peer, out var entry))
            {
                entry = new Entry(new TokenBucket(options.QueriesPerSecond, options.QueryBurst, time));
                _sessions.Add(peer, entry);
            }

            if (entry.Open >= options.MaxOpenQueriesPerSession)
            {
                return Refusal.TooManyOpen;
            }

            if (!entry.Bucket.TryTake())
            {
                return Refusal.RateLimited;
            }

            entry.Open++;
            return null;
        }
    }

    public void Exit(Fingerprint peer)
    {
        lock (_lock)
        {
            if (_sessions.TryGetValue(peer, out var entry))
            {
                entry.Open--;
            }
        }
    }

    /// <summary>Forgets a peer whose session ended (a new session starts with a full bucket, as the spec counts per session).</summary>
    public void Forget(Fingerprint peer)
    {
        lock (_lock)
        {
            if (_sessions.TryGetValue(peer, out var entry) && entry.Open == 0)
            {
                _sessions.Remove(peer);
            }
        }
    }

    private sealed class Entry(TokenBucket bucket)
    {
        public TokenBucket Bucket { get; } = bucket;

        public int Open { get; set; }
    }
}
