using OpenRed.Core.Identity;

namespace OpenRed.Core.Social;

/// <summary>A profile as shown and served: text fields within the limits of section 9, and an optional thumbnail.</summary>
public sealed record SocialProfile(string DisplayName, string Bio, string Profession, Thumbnail? Thumbnail, string PhotoUrn, DateTimeOffset UpdatedAt)
{
    /// <summary>
    /// The URN name this node publishes its full photo under. Every node uses the same name, so the photo is asked for
    /// with its publisher, the profile's owner: <c>profile_photo@fingerprint-prefix</c> (see <see cref="PhotoUrnOf"/>).
    /// </summary>
    public const string PhotoUrnName = "profile_photo";

    /// <summary>What to give <c>resurrect</c> for the photo of the profile of <paramref name="owner"/>; null when it has none.</summary>
    public string? PhotoUrnOf(Fingerprint owner) =>
        PhotoUrn.Length == 0 ? null : $"{PhotoUrn}@{owner.Hex[..16]}";

    public static SocialProfile Empty { get; } = new("", "", "", null, "", DateTimeOffset.UnixEpoch);
}

/// <summary>A peer's profile as this node keeps it, with when it was fetched (<see cref="Fresh"/>: fetched just now).</summary>
public sealed record PeerProfile(Fingerprint Fingerprint, string NodeId, SocialProfile Profile, DateTimeOffset FetchedAt, bool Fresh);

/// <summary>A peer as people name it: fingerprint and its last known node-id.</summary>
public sealed record PeerRef(Fingerprint Fingerprint, string NodeId);

public enum FriendState
{
    Friend,

    /// <summary>The peer asked this node; waiting for accept or decline.</summary>
    PendingIn,

    /// <summary>This node asked the peer; waiting for its answer.</summary>
    PendingOut,

    Blocked,
}

/// <summary>
/// One peer in the friend book. <see cref="Delivered"/>: for a request this node sent, the peer acknowledged it
/// (false: queued until a session). <see cref="Since"/>: when the request was made or the friendship began.
/// </summary>
public sealed record FriendEntry(Fingerprint Fingerprint, string NodeId, FriendState State, string Message, DateTimeOffset Since, bool Delivered, bool Online);

public enum ChatState
{
    /// <summary>Stored, not yet handed to a session.</summary>
    Queued,

    /// <summary>Handed to a session; no receipt yet.</summary>
    Sent,

    /// <summary>The friend's receipt arrived: it is stored there.</summary>
    Delivered,

    /// <summary>A message from the friend.</summary>
    Received,
}

/// <summary>One chat message, either way. <see cref="SentAt"/> is the sender's claim; <see cref="ReceivedAt"/> this node's time of arrival.</summary>
public sealed record ChatEntry(
    Fingerprint Peer,
    string NodeId,
    byte[] MessageId,
    bool Outgoing,
    string Text,
    DateTimeOffset SentAt,
    DateTimeOffset? ReceivedAt,
    DateTimeOffset? DeliveredAt,
    ChatState State,
    bool Read)
{
    public string MessageIdHex => Convert.ToHexStringLower(MessageId);
}

/// <summary>What the social layer counted since start (status).</summary>
public sealed record SocialCounters(
    long ProfilesFetched, long ProfilesRefused, long ThumbnailsDropped, long RequestsReceived, long RequestsDropped,
    long RateLimited, long MessagesReceived, long DuplicatesIgnored, long NotFriendsRefused, long ReceiptsReceived);
