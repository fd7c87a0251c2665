using OpenRed.Core.Mesh;

namespace OpenRed.Core.Node;

/// <summary>Something that happened in the constellation, in the order the node saw it.</summary>
public abstract record NodeEvent(DateTimeOffset At);

/// <summary>The lighthouse heard a peer for the first time (or again after it was lost).</summary>
public sealed record PeerHeardEvent(DateTimeOffset At, ConstellationPeer Peer) : NodeEvent(At);

/// <summary>A peer heard by the lighthouse is gone: goodbye, silence or eviction (<see cref="Why"/>).</summary>
public sealed record PeerLostEvent(DateTimeOffset At, ConstellationPeer Peer, PeerLossReason Why, string Detail) : NodeEvent(At);

public sealed record SessionOpenedEvent(DateTimeOffset At, SessionInfo Session) : NodeEvent(At);

/// <summary>A session ended; <see cref="Reason"/> is the peer's Goodbye text or what this node saw, for people.</summary>
public sealed record SessionClosedEvent(DateTimeOffset At, SessionInfo Session, SessionEnd End, string Reason) : NodeEvent(At);

/// <summary>A node-id arrived with a fingerprint other than the one pinned to it.</summary>
public sealed record ImpersonationEvent(DateTimeOffset At, ImpersonationWarning Warning) : NodeEvent(At);

public enum PeerLossReason
{
    Goodbye,
    Silent,
    Evicted,
}
