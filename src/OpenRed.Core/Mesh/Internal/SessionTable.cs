using OpenRed.Core.Identity;

namespace OpenRed.Core.Mesh.Internal;

/// <summary>
/// The live sessions, one per fingerprint, with the slot limits of section 7 and the duplicate rule of section 6.
/// Both nodes apply the same rule to the same pair of sessions, so they keep the same one without talking.
/// </summary>
internal sealed class SessionTable
{
    private readonly Dictionary<Fingerprint, PeerSession> _sessions = [];
    private readonly Fingerprint _self;
    private readonly MeshOptions _options;
    private readonly Lock _lock = new();

    private readonly Func<Fingerprint, bool> _isFriend;

    public SessionTable(Fingerprint self, MeshOptions options, Func<Fingerprint, bool>? isFriend = null)
    {
        _self = self;
        _options = options;
        _isFriend = isFriend ?? (static _ => false);
    }

    /// <summary>
    /// Whether an inbound connection from <paramref name="remote"/> could get a slot, checked before any cryptography
    /// so a full node spends nothing on it. Only limits that no handshake result can change are applied here: a
    /// friend may still displace a non-friend at the session limit (section 7), so that one waits for the handshake.
    /// </summary>
    public bool CanAcceptInbound(System.Net.IPAddress remote, out string? refusal)
    {
        refusal = null;
        lock (_lock)
        {
            var inbound = _sessions.Values.Where(s => s.Direction == SessionDirection.Inbound).ToList();
            if (inbound.Count >= _options.MaxInboundSessions)
            {
                refusal = "inbound session limit reached";
                return false;
            }

            var prefix = AddressPrefix.SlotPrefix(remote);
            if (inbound.Count(s => AddressPrefix.SlotPrefix(s.Remote.Address) == prefix) >= _options.MaxInboundSessionsPerPrefix)
            {
                refusal = "too many sessions from that network";
                return false;
            }

            return true;
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    public IReadOnlyList<PeerSession> Snapshot()
    {
        lock (_lock)
        {
            return [.. _sessions.Values];
        }
    }

    public PeerSession? Find(Fingerprint fingerprint)
    {
        lock (_lock)
        {
            return _sessions.GetValueOrDefault(fingerprint);
        }
    }

    /// <summary>
    /// Decides whether <paramref name="candidate"/> joins the table. On success, <paramref name="displaced"/> is the
    /// session it replaced (to be closed). On refusal, <paramref name="refusal"/> says why.
    /// </summary>
    public bool TryAdd(PeerSession candidate, out PeerSession? displaced, out string? refusal)
    {
        displaced = null;
        refusal = null;
        lock (_lock)
        {
            if (_sessions.TryGetValue(candidate.Fingerprint, out var existing))
            {
                if (!KeepNew(existing, candidate))
                {
                    refusal = "duplicate session";
                    return false;
                }

                displaced = existing;
                _sessions[candidate.Fingerprint] = candidate;
                return true;
            }

            if (_sessions.Count >= _options.MaxSessions)
            {
                // Section 7: a friend still gets in, in place of the least recently active non-friend.
                var victim = _isFriend(candidate.Fingerprint)
                    ? _sessions.Values.Where(s => !_isFriend(s.Fingerprint)).MinBy(s => s.LastActivityAt)
                    : null;
                if (victim is null)
                {
                    refusal = "session limit reached";
                    return false;
                }

                _sessions.Remove(victim.Fingerprint);
                displaced = victim;
                _sessions[candidate.Fingerprint] = candidate;
                return true;
            }

            if (candidate.Direction == SessionDirection.Inbound)
            {
                var inbound = _sessions.Values.Where(s => s.Direction == SessionDirection.Inbound).ToList();
                if (inbound.Count >= _options.MaxInboundSessions)
                {
                    refusal = "inbound session limit reached";
                    return false;
                }

                var prefix = AddressPrefix.SlotPrefix(candidate.Remote.Address);
                if (inbound.Count(s => AddressPrefix.SlotPrefix(s.Remote.Address) == prefix) >= _options.MaxInboundSessionsPerPrefix)
                {
                    refusal = "too many sessions from that network";
                    return false;
                }
            }

            _sessions[candidate.Fingerprint] = candidate;
            return true;
        }
    }

    /// <summary>Removes the session if it is still the one in the table.</summary>
    public bool Remove(PeerSession session)
    {
        lock (_lock)
        {
            if (_sessions.TryGetValue(session.Fingerprint, out var current) && ReferenceEquals(current, session))
            {
                _sessions.Remove(session.Fingerprint);
                return true;
            }

            return false;
        }
    }

    // Section 6: initiated by different sides -> the one initiated by the lower fingerprint; same side -> the newer.
    private bool KeepNew(PeerSession existing, PeerSession candidate)
    {
        var a = existing.InitiatorFingerprint(_self);
        var b = candidate.InitiatorFingerprint(_self);
        return a == b || b < a;
    }
}
