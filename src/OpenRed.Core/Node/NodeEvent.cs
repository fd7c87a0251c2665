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

/// <summary>A peer asked to be friends (section 9); <see cref="Message"/> is its text, shown escaped.</summary>
public sealed record FriendRequestReceivedEvent(DateTimeOffset At, Identity.Fingerprint Fingerprint, string NodeId, string Message) : NodeEvent(At);

/// <summary>A peer answered this node's friend request (or both asked each other: accepted).</summary>
public sealed record FriendResponseReceivedEvent(DateTimeOffset At, Identity.Fingerprint Fingerprint, string NodeId, bool Accepted) : NodeEvent(At);

/// <summary>A friend's chat message was stored (once per message id).</summary>
public sealed record ChatMessageReceivedEvent(DateTimeOffset At, Identity.Fingerprint Fingerprint, string NodeId, string MessageId, string Text) : NodeEvent(At);

/// <summary>The receipt of one of this node's messages arrived: the friend has stored it. Not printed (one per message).</summary>
public sealed record ChatDeliveredEvent(DateTimeOffset At, Identity.Fingerprint Fingerprint, string MessageId) : NodeEvent(At);
