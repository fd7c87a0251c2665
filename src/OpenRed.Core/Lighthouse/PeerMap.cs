using System.Net;
using OpenRed.Core.Identity;
using OpenRed.Core.Lighthouse.Internal;
using OpenRed.Core.Common;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Lighthouse;

/// <summary>
/// The peers heard by the lighthouse, keyed by fingerprint (section 3). Thread-safe; events are raised outside the lock,
/// on the calling thread (the lighthouse's receive or sweep loop, or the node's call), so handlers must be quick: the
/// node's subscribers only hand the news on through bounded channels.
/// A lost peer is removed at once: <see cref="Snapshot"/> shows only present peers, <see cref="PeerLost"/> carries the
/// last entry with state Lost.
/// </summary>
internal sealed class PeerMap
{
    private readonly object _lock = new();
    private readonly Dictionary<Fingerprint, Entry> _peers = [];
    private readonly Dictionary<SubnetKey, int> _perSubnet = [];
    private readonly Dictionary<Fingerprint, (VerifiedPeer Identity, IPAddress Remote)> _sessions = [];
    private readonly TimeProvider _time;
    private readonly int _maxPeers;
    private readonly int _maxPerSubnet;
    private readonly int _expiryFactor;

    public PeerMap(LighthouseOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _maxPeers = options.MaxPeers;
        _maxPerSubnet = options.MaxPeersPerSlash24;
        _expiryFactor = options.ExpiryFactor;
    }

    /// <summary>A fingerprint heard for the first time (or again after it was lost).</summary>
    public event EventHandler<LighthousePeerEventArgs>? PeerDiscovered;

    /// <summary>Restart, new address or labels of an unverified peer; session up or down.</summary>
    public event EventHandler<LighthousePeerEventArgs>? PeerUpdated;

    /// <summary>Goodbye, expiry or eviction removed the peer.</summary>
    public event EventHandler<LighthousePeerEventArgs>? PeerLost;

    /// <summary>
    /// A beacon (goodbye, new instance, new address) or silence touched a verified peer. With a session: check it
    /// (Ping). Without: dial <see cref="LighthousePeerEventArgs.Candidate"/> expecting the verified fingerprint.
    /// </summary>
    public event EventHandler<LighthousePeerEventArgs>? PeerNeedsCheck;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _peers.Count;
            }
        }
    }

    /// <summary>Present peers ordered by sector, node-id, fingerprint.</summary>
    public IReadOnlyList<LighthousePeer> Snapshot()
    {
        lock (_lock)
        {
            return _peers.Values.Select(e => e.Peer)
                .OrderBy(p => p.Sector, StringComparer.Ordinal)
                .ThenBy(p => p.NodeId, StringComparer.Ordinal)
                .ThenBy(p => p.Fingerprint)
                .ToList();
        }
    }

    public LighthousePeer? Find(Fingerprint fingerprint)
    {
        lock (_lock)
        {
            return _peers.TryGetValue(fingerprint, out var e) ? e.Peer : null;
        }
    }

    /// <summary>Applies one beacon that <see cref="BeaconCodec"/> accepted, heard from <paramref name="source"/>.</summary>
    public BeaconObservation Observe(Beacon beacon, IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(beacon);
        ArgumentNullException.ThrowIfNull(source);
        source = Endpoints.Normalize(source);

        var fingerprint = Fingerprint.FromBytes(beacon.Fingerprint.Span);
        var from = new IPEndPoint(source, (int)beacon.TcpPort);
        var now = _time.GetUtcNow();
        var events = new List<(EventHandler<LighthousePeerEventArgs>?, LighthousePeerEventArgs)>();
        BeaconObservation result;
        lock (_lock)
        {
            result = _peers.TryGetValue(fingerprint, out var entry)
                ? ObserveKnown(entry, beacon, from, now, events)
                : ObserveNew(fingerprint, beacon, from, now, events);
        }

        Raise(events);
        return result;
    }

    /// <summary>
    /// The node reports a session with a handshake-verified peer. <paramref name="remote"/> is the peer's IP on that
    /// connection; with <see cref="VerifiedPeer.ListenPort"/> it becomes the peer's verified address.
    /// May be called before the peer's first beacon: it then appears as Connected when heard.
    /// </summary>
    public void MarkSessionUp(VerifiedPeer peer, IPAddress remote)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(remote);
        remote = Endpoints.Normalize(remote);

        var events = new List<(EventHandler<LighthousePeerEventArgs>?, LighthousePeerEventArgs)>();
        lock (_lock)
        {
            _sessions[peer.Fingerprint] = (peer, remote);
            if (_peers.TryGetValue(peer.Fingerprint, out var entry))
            {
                entry.Peer = ApplySession(entry.Peer, peer, remote);
                entry.GoodbyeHeard = false;
                entry.SilenceReported = false;
                events.Add((PeerUpdated, new LighthousePeerEventArgs(entry.Peer, PeerChange.SessionUp)));
            }
        }

        Raise(events);
    }

    /// <summary>
    /// The node reports the session closed. A peer that said goodbye or fell silent meanwhile is removed (PeerLost);
    /// otherwise it stays as Verified.
    /// </summary>
    public void MarkSessionDown(Fingerprint fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        var events = new List<(EventHandler<LighthousePeerEventArgs>?, LighthousePeerEventArgs)>();
        lock (_lock)
        {
            _sessions.Remove(fingerprint);
            if (_peers.TryGetValue(fingerprint, out var entry))
            {
                if (entry.GoodbyeHeard || IsExpired(entry.Peer, _time.GetUtcNow()))
                {
                    Remove(entry, entry.GoodbyeHeard ? PeerChange.Goodbye : PeerChange.Expired, events);
                }
                else
                {
                    entry.Peer = entry.Peer with { State = LighthousePeerState.Verified };
                    events.Add((PeerUpdated, new LighthousePeerEventArgs(entry.Peer, PeerChange.SessionDown)));
                }
            }
        }

        Raise(events);
    }

    /// <summary>Removes peers silent for longer than ExpiryFactor × their interval; returns how many.</summary>
    public int Expire()
    {
        var now = _time.GetUtcNow();
        var events = new List<(EventHandler<LighthousePeerEventArgs>?, LighthousePeerEventArgs)>();
        var removed = 0;
        lock (_lock)
        {
            foreach (var entry in _peers.Values.Where(e => IsExpired(e.Peer, now)).ToList())
            {
                if (entry.Peer.HasSession)
                {
                    if (!entry.SilenceReported)
                    {
                        entry.SilenceReported = true;
                        events.Add((PeerNeedsCheck, new LighthousePeerEventArgs(entry.Peer, PeerChange.Expired)));
                    }
                }
                else
                {
                    Remove(entry, PeerChange.Expired, events);
                    removed++;
                }
            }
        }

        Raise(events);
        return removed;
    }

    private BeaconObservation ObserveNew(
        Fingerprint fingerprint, Beacon beacon, IPEndPoint from, DateTimeOffset now,
        List<(EventHandler<LighthousePeerEventArgs>?, LighthousePeerEventArgs)> events)
    {
        if (beacon.Goodbye)
        {
            return BeaconObservation.Ignored;
        }

        var subnet = SubnetKey.Of(from.Address);
        if (!MakeRoom(subnet, null, events))
        {
            return BeaconObservation.Rejected;
        }

        var peer = new LighthousePeer(
            fingerprint, beacon.NodeId, beacon.Sector, from, from, beacon.Instance, beacon.Seq,
            TimeSpan.FromSeconds(beacon.IntervalS), now, now, LighthousePeerState.Unverified);
        if (_sessions.TryGetValue(fingerprint, out var session))
        {
            peer = ApplySession(peer, session.Identity, session.Remote);
        }

        _peers.Add(fingerprint, new Entry(peer, subnet));
        _perSubnet[subnet] = _perSubnet.GetValueOrDefault(subnet) + 1;
        events.Add((PeerDiscovered, new LighthousePeerEventArgs(peer, PeerChange.Discovered)));
        return BeaconObservation.Discovered;
    }

    private BeaconObservation ObserveKnown(
        Entry entry, Beacon beacon, IPEndPoint from, DateTimeOffset now,
        List<(EventHandler<LighthousePeerEventArgs>?, LighthousePeerEventArgs)> events)
    {
        var old = entry.Peer;
        if (beacon.Goodbye)
        {
            // A goodbye of an older instance can arrive after the restarted node's first beacon: it must not remove it.
            if (beacon.Instance != old.Instance)
            {
                return BeaconObservation.Ignored;
            }

            if (old.HasSession)
            {
                entry.GoodbyeHeard = true;
                events.Add((PeerNeedsCheck, new LighthousePeerEventArgs(old, PeerChange.Goodbye, from)));
                return BeaconObservation.CheckRequested;
            }

            if (old.IsVerified)
            {
                // Section 3: a beacon never removes what a handshake verified. Unanswered, the peer expires by silence.
                entry.GoodbyeHeard = true;
                return BeaconObservation.Ignored;
            }

            Remove(entry, PeerChange.Goodbye, events);
            return BeaconObservation.Removed;
        }

        var subnet = SubnetKey.Of(from.Address);
        if (subnet != entry.Subnet)
        {
            if (!MakeRoom(subnet, entry, events))
            {
                return BeaconObservation.Rejected;
            }

            DecrementSubnet(entry.Subnet);
            _perSubnet[subnet] = _perSubnet.GetValueOrDefault(subnet) + 1;
            entry.Subnet = subnet;
        }

        var restarted = beacon.Instance != old.Instance;
        var moved = !from.Equals(old.BeaconAddress);
        entry.GoodbyeHeard = false;
        entry.SilenceReported = false;
        var refreshed = old with
        {
            BeaconAddress = from,
            Instance = beacon.Instance,
            Seq = beacon.Seq,
            Interval = TimeSpan.FromSeconds(beacon.IntervalS),
            LastHeard = now,
        };

        if (old.IsVerified)
        {
            // What the handshake verified (address, labels) stays; the mesh decides what the news means.
            entry.Peer = refreshed;
            if (restarted)
            {
                events.Add((PeerNeedsCheck, new LighthousePeerEventArgs(refreshed, PeerChange.Restarted, from)));
                return BeaconObservation.Restarted;
            }

            if (moved && !from.Equals(old.Address))
            {
                events.Add((PeerNeedsCheck, new LighthousePeerEventArgs(refreshed, PeerChange.AddressChanged, from)));
                return BeaconObservation.CheckRequested;
            }

            return BeaconObservation.Refreshed;
        }

        var relabelled = beacon.NodeId != old.NodeId || beacon.Sector != old.Sector;
        entry.Peer = refreshed with { Address = from, NodeId = beacon.NodeId, Sector = beacon.Sector };
        if (restarted || moved || relabelled)
        {
            var change = restarted ? PeerChange.Restarted : moved ? PeerChange.AddressChanged : PeerChange.LabelsChanged;
            events.Add((PeerUpdated, new LighthousePeerEventArgs(entry.Peer, change)));
            return restarted ? BeaconObservation.Restarted : BeaconObservation.Updated;
        }

        return BeaconObservation.Refreshed;
    }

    /// <summary>Frees a slot in <paramref name="subnet"/> and in the map, evicting the least recently heard unverified peers.</summary>
    private bool MakeRoom(SubnetKey subnet, Entry? moving, List<(EventHandler<LighthousePeerEventArgs>?, LighthousePeerEventArgs)> events)
    {
        if (_perSubnet.GetValueOrDefault(subnet) >= _maxPerSubnet)
        {
            var victim = LeastRecentlyHeardUnverified(e => e.Subnet == subnet && e != moving);
            if (victim is null)
            {
                return false;
            }

            Remove(victim, PeerChange.Evicted, events, $"{_maxPerSubnet} peers per /24 is the limit, and newer ones were heard there");
        }

        if (moving is null && _peers.Count >= _maxPeers)
        {
            var victim = LeastRecentlyHeardUnverified(_ => true);
            if (victim is null)
            {
                return false;
            }

            Remove(victim, PeerChange.Evicted, events, $"the peer map holds {_maxPeers} peers, and newer ones were heard");
        }

        return true;
    }

    private Entry? LeastRecentlyHeardUnverified(Func<Entry, bool> filter)
    {
        Entry? oldest = null;
        foreach (var e in _peers.Values)
        {
            if (e.Peer.State == LighthousePeerState.Unverified && filter(e)
                && (oldest is null || e.Peer.LastHeard < oldest.Peer.LastHeard))
            {
                oldest = e;
            }
        }

        return oldest;
    }

    private void Remove(
        Entry entry, PeerChange why, List<(EventHandler<LighthousePeerEventArgs>?, LighthousePeerEventArgs)> events, string? detail = null)
    {
        _peers.Remove(entry.Peer.Fingerprint);
        DecrementSubnet(entry.Subnet);
        events.Add((PeerLost, new LighthousePeerEventArgs(entry.Peer with { State = LighthousePeerState.Lost }, why, null, detail)));
    }

    private void DecrementSubnet(SubnetKey subnet)
    {
        var n = _perSubnet.GetValueOrDefault(subnet) - 1;
        if (n <= 0)
        {
            _perSubnet.Remove(subnet);
        }
        else
        {
            _perSubnet[subnet] = n;
        }
    }

    private bool IsExpired(LighthousePeer peer, DateTimeOffset now) => now - peer.LastHeard > peer.Interval * _expiryFactor;

    private static LighthousePeer ApplySession(LighthousePeer peer, VerifiedPeer identity, IPAddress remote) =>
        peer with
        {
            State = LighthousePeerState.Connected,
            NodeId = identity.NodeId,
            Sector = identity.Sector,
            Address = identity.ListenPort is > 0 and <= ushort.MaxValue ? new IPEndPoint(remote, identity.ListenPort) : peer.Address,
        };

    private void Raise(List<(EventHandler<LighthousePeerEventArgs>? Handler, LighthousePeerEventArgs Args)> events)
    {
        foreach (var (handler, args) in events)
        {
            handler?.Invoke(this, args);
        }
    }

    private sealed class Entry(LighthousePeer peer, SubnetKey subnet)
    {
        public LighthousePeer Peer { get; set; } = peer;
        public SubnetKey Subnet { get; set; } = subnet;
        public bool GoodbyeHeard { get; set; }
        public bool SilenceReported { get; set; }
    }
}
