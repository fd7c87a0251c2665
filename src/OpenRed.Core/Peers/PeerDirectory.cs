using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Identity;
using OpenRed.Core.Peers.Internal;
using OpenRed.Core.Storage;

namespace OpenRed.Core.Peers;

/// <summary>
/// Every address the node has learned, keyed by dial address, with its sources and dial history. Thread-safe.
/// Kept in memory; changes reach SQLite in batches (<see cref="PeerOptions.FlushInterval"/>, and on dispose), so a
/// beacon never costs a write.
/// </summary>
public sealed partial class PeerDirectory : IAsyncDisposable
{
    private readonly Dictionary<PeerAddress, PeerCandidate> _candidates = [];
    private readonly PeerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();

    /// <summary>Loads the stored candidates and starts writing changes behind.</summary>
    public PeerDirectory(NodeDatabase db, PeerOptions options, TimeProvider time, ILogger<PeerDirectory> logger)
    {
        ArgumentNullException.ThrowIfNull(db);
        _options = options;
        _time = time;
        _logger = logger;
        _table = new PeerTable(db);
        var now = time.GetUtcNow();
        foreach (var c in _table.Load())
        {
            var live = c with { Sources = [.. c.LiveSources(now)] };
            if (live.Sources.IsEmpty)
            {
                _dirty.Add(c.Address);
                continue;
            }

            _candidates[c.Address] = live;
        }

        PeersLog.Loaded(_logger, _candidates.Count);
        _flushLoop = FlushLoopAsync(_stopping.Token);
    }

    /// <summary>
    /// Raised, outside any lock, when something that changes a dial decision changed: a candidate or a source
    /// appeared or went, an expected fingerprint or sector changed, a dial succeeded or failed. A beacon that only
    /// refreshes what is known raises nothing.
    /// </summary>
    public event Action? Changed;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _candidates.Count;
            }
        }
    }

    /// <summary>
    /// Adds <paramref name="source"/> to the candidate at <paramref name="address"/>, creating it if needed. Returns
    /// false when the claim is refused: a fingerprint that contradicts a verified one (only a person's
    /// <see cref="PeerSource.Connect"/> may overrule it), an exchange entry for an address known otherwise, or a
    /// full directory.
    /// </summary>
    public bool Add(PeerAddress address, PeerSource source, Fingerprint? expected, DateTimeOffset now, PeerHints? hints = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        hints ??= PeerHints.None;
        bool changed;
        lock (_lock)
        {
            if (!_candidates.TryGetValue(address, out var old))
            {
                if (_candidates.Count >= _options.MaxCandidates && !EvictOne(now))
                {
                    PeersLog.Full(_logger, address.ToString(), source);
                    return false;
                }

                Store(null, new PeerCandidate(
                    address, expected, false, [Entry(source, now, hints.Sender)], now, now, null, null, null, 0, hints.Sector, hints.NodeId));
                changed = true;
                NoteSender(address, source, hints.Sender);
            }
            else
            {
                if (!TryMerge(old, source, expected, now, hints, out var next, out changed))
                {
                    PeersLog.ClaimIgnored(_logger, address.ToString(), old.Expected?.Short ?? "a bootstrap address", expected?.Short ?? "-", source);
                    return false;
                }

                Store(old, next);
                NoteSender(address, source, hints.Sender);
            }
        }

        if (changed)
        {
            Changed?.Invoke();
        }

        return true;
    }

    /// <summary>Removes <paramref name="source"/> from the candidate at <paramref name="address"/> (a beacon peer was lost).</summary>
    public bool SourceLost(PeerAddress address, PeerSource source)
    {
        bool changed;
        lock (_lock)
        {
            changed = RemoveSource(address, source);
        }

        if (changed)
        {
            Changed?.Invoke();
        }

        return changed;
    }

    /// <summary>Removes <paramref name="source"/> from every candidate expected to be <paramref name="fingerprint"/>.</summary>
    public int SourceLost(Fingerprint fingerprint, PeerSource source)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        var removed = 0;
        lock (_lock)
        {
            foreach (var address in _candidates.Values.Where(c => c.Expected == fingerprint).Select(c => c.Address).ToList())
            {
                removed += RemoveSource(address, source) ? 1 : 0;
            }
        }

        if (removed > 0)
        {
            Changed?.Invoke();
        }

        return removed;
    }

    /// <summary>A handshake at <paramref name="address"/> proved <paramref name="peer"/>: it becomes the expected fingerprint.</summary>
    public bool RecordSuccess(PeerAddress address, Fingerprint peer, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return Update(address, c => c with
        {
            Expected = peer,
            Verified = true,
            LastHeard = now,
            LastSuccess = now,
            ConsecutiveFailures = 0,
        });
    }

    public bool RecordFailure(PeerAddress address, DialFailure reason, DateTimeOffset now) =>
        Update(address, c => c with
        {
            LastFailure = now,
            LastFailureReason = reason,
            ConsecutiveFailures = c.ConsecutiveFailures + 1,
        });

    public PeerCandidate? Find(PeerAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        lock (_lock)
        {
            return _candidates.GetValueOrDefault(address);
        }
    }

    /// <summary>Candidates expected to be <paramref name="fingerprint"/>, verified ones and the most recently heard first.</summary>
    public IReadOnlyList<PeerCandidate> FindByFingerprint(Fingerprint fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        lock (_lock)
        {
            return [.. _candidates.Values.Where(c => c.Expected == fingerprint)
                .OrderByDescending(c => c.Verified).ThenByDescending(c => c.LastHeard)];
        }
    }

    public PeerDirectorySnapshot Snapshot()
    {
        var now = _time.GetUtcNow();
        var all = Candidates();
        var bySource = Enum.GetValues<PeerSource>().ToImmutableDictionary(
            s => s, s => all.Count(c => c.Has(s, now)));
        return new PeerDirectorySnapshot(now, [.. all.OrderByDescending(c => c.LastHeard)], bySource);
    }

    /// <summary>Every candidate as it is now (the records are immutable, so this copies references only).</summary>
    internal ImmutableArray<PeerCandidate> Candidates()
    {
        lock (_lock)
        {
            return [.. _candidates.Values];
        }
    }

    private bool TryMerge(
        PeerCandidate old, PeerSource source, Fingerprint? expected, DateTimeOffset now, PeerHints hints, out PeerCandidate next, out bool changed)
    {
        next = old;
        changed = false;
        if (expected is not null && old.Expected != expected)
        {
            // A list from another peer never says what an address is when a better source already does; a beacon
            // may re-key an unverified address (a new node there), but not one a handshake proved, unless that
            // proof has since failed with another fingerprint.
            var proven = old.Verified && old.LastFailureReason != DialFailure.FingerprintMismatch;
            var otherwiseKnown = old.Expected is not null || old.Sources.Any(s => s.Source != PeerSource.Exchange);
            if ((source == PeerSource.Exchange && otherwiseKnown) || (proven && source != PeerSource.Connect))
            {
                return false;
            }

            next = next with { Expected = expected, Verified = false, ConsecutiveFailures = 0, LastFailure = null, LastFailureReason = null };
            changed = true;
        }

        var entry = old.Find(source);
        var sender = hints.Sender ?? entry?.Sender;
        if (entry is null || !entry.IsLive(now))
        {
            var sources = entry is null ? old.Sources : old.Sources.Remove(entry);
            next = next with { Sources = sources.Add(Entry(source, now, sender)) };
            changed = true;
        }
        else
        {
            next = next with { Sources = old.Sources.Replace(entry, entry with { LastHeard = now, ExpiresAt = Expiry(source, now), Sender = sender }) };
            changed |= sender != entry.Sender;
        }

        if (hints.Sector is not null && hints.Sector != old.Sector)
        {
            next = next with { Sector = hints.Sector };
            changed = true;
        }

        next = next with { NodeId = hints.NodeId ?? old.NodeId, LastHeard = now };
        return true;
    }

    private bool Update(PeerAddress address, Func<PeerCandidate, PeerCandidate> change)
    {
        ArgumentNullException.ThrowIfNull(address);
        lock (_lock)
        {
            if (!_candidates.TryGetValue(address, out var old))
            {
                return false;
            }

            Store(old, change(old));
        }

        Changed?.Invoke();
        return true;
    }

    private bool RemoveSource(PeerAddress address, PeerSource source)
    {
        if (!_candidates.TryGetValue(address, out var old) || old.Find(source) is not { } entry)
        {
            return false;
        }

        var next = old with { Sources = old.Sources.Remove(entry) };
        Store(old, next.Sources.IsEmpty ? null : next);
        return true;
    }

    // Called under the lock: keeps the map and the write-behind set in step.
    private void Store(PeerCandidate? old, PeerCandidate? next)
    {
        var address = (next ?? old)!.Address;
        if (next is null)
        {
            _candidates.Remove(address);
            _senders.Remove(address);
        }
        else
        {
            _candidates[address] = next;
        }

        if (PeerTable.IsStored(old) || PeerTable.IsStored(next))
        {
            _dirty.Add(address);
        }
    }

    // Makes room by dropping the least recently heard candidate that no lasting source (bootstrap, connect, link)
    // names; false when every candidate has one.
    private bool EvictOne(DateTimeOffset now)
    {
        var victim = _candidates.Values
            .Where(c => !c.LiveSources(now).Any(s => s.Source is PeerSource.Bootstrap or PeerSource.Connect or PeerSource.Link))
            .MinBy(c => c.LastHeard);
        if (victim is null)
        {
            return false;
        }

        Store(victim, null);
        return true;
    }

    private PeerSourceEntry Entry(PeerSource source, DateTimeOffset now, Fingerprint? sender) =>
        new(source, now, now, Expiry(source, now), source == PeerSource.Exchange ? sender : null);

    private DateTimeOffset? Expiry(PeerSource source, DateTimeOffset now) =>
        source == PeerSource.Exchange ? now + _options.ExchangeTtl : null;
}
