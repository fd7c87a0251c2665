using OpenRed.Core.Identity;
using OpenRed.Core.Mesh;

namespace OpenRed.Core.Social;

/// <summary>
/// The social layer as the prompt, the tests and a future API see it (section 9): the profile, the friend book and
/// chat. Every operation stores first and sends after, so what it reports survives a crash of the process.
/// Failures a person can act on are <see cref="SocialException"/> (or <see cref="ThumbnailException"/>).
/// </summary>
public interface ISocial
{
    SocialOptions Options { get; }

    SocialProfile GetOwnProfile();

    /// <summary>Changes the given text fields (null: unchanged).</summary>
    SocialProfile SetProfile(string? displayName, string? profession, string? bio);

    /// <summary>
    /// Makes and stores the thumbnail of the photo at <paramref name="path"/>, and publishes the photo itself (upright,
    /// re-encoded without metadata) as this node's URN <see cref="SocialProfile.PhotoUrnName"/>, named in the profile.
    /// </summary>
    Task<SocialProfile> SetPhotoAsync(string path, CancellationToken cancellationToken);

    /// <summary>Fetches the peer's profile when a session is up, else gives the one kept; null when none is known.</summary>
    Task<PeerProfile?> GetProfileAsync(Fingerprint peer, CancellationToken cancellationToken);

    /// <summary>Peers by node-id or fingerprint prefix among sessions, links, the friend book and kept profiles.</summary>
    PeerMatch<PeerRef> FindPeers(string name);

    /// <summary>The friend book, with each peer's state.</summary>
    IReadOnlyList<FriendEntry> GetFriends();

    /// <summary>Asks the peer to be friends; accepts instead when the peer asked first.</summary>
    FriendEntry AddFriend(PeerRef peer, string message);

    FriendEntry Accept(Fingerprint peer);

    void Decline(Fingerprint peer);

    void Remove(Fingerprint peer);

    /// <summary>Blocks the peer: its session is closed, it is refused at handshake and never dialled.</summary>
    Task BlockAsync(PeerRef peer, CancellationToken cancellationToken);

    bool Unblock(Fingerprint peer);

    /// <summary>Stores the message (queued) and hands it to the courier; only to a friend.</summary>
    ChatEntry SendMessage(Fingerprint friend, string text);

    /// <summary>The conversation with one peer, ordered by send time then message id; marks it read.</summary>
    IReadOnlyList<ChatEntry> GetConversation(Fingerprint peer, int limit);

    /// <summary>Unread messages from every friend; marks them read.</summary>
    IReadOnlyList<ChatEntry> TakeUnread();

    /// <summary>How many unread messages each peer has; marks nothing read (peers with none are absent).</summary>
    IReadOnlyDictionary<Fingerprint, int> UnreadCounts();

    SocialCounters Counters { get; }
}
