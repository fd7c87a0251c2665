using OpenRed.Core.Identity;

namespace OpenRed.Core.Social.Internal;

/// <summary>One row of the friend book. <see cref="RequestId"/>: of the pending request, either way.</summary>
internal sealed record FriendRow(Fingerprint Fingerprint, string NodeId, FriendState State, byte[]? RequestId, string Message, bool Acked, DateTimeOffset Since);

/// <summary>What an incoming FriendRequest did to the friend book.</summary>
internal enum IncomingRequestOutcome
{
    /// <summary>A new pending request (or one replacing the peer's earlier one).</summary>
    Stored,

    /// <summary>The same request again (its Ack was lost): nothing changed.</summary>
    Duplicate,

    /// <summary>Both asked each other, or the peer is a friend already: friends, and an accepting response is queued.</summary>
    Friends,

    /// <summary>A blocked peer: nothing stored, nothing said.</summary>
    Blocked,
}

/// <summary>What an incoming FriendResponse did.</summary>
internal enum IncomingResponseOutcome
{
    Accepted,
    Declined,

    /// <summary>No pending request to that peer with that id (section 9: refused).</summary>
    NotPending,
}

/// <summary>What <c>friend add</c> did.</summary>
internal enum AddOutcome
{
    Requested,

    /// <summary>The peer had asked first: accepted.</summary>
    AcceptedTheirs,

    /// <summary>A request to this peer is pending already (one at a time).</summary>
    AlreadyRequested,
    AlreadyFriends,
    Blocked,
    TooMany,
}
