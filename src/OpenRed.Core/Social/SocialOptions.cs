namespace OpenRed.Core.Social;

/// <summary>
/// Every limit and interval of the social layer (sections 9 and 11). The spec's numbers are the defaults; the
/// numbers it does not give (rate limits, the photo budget, the send window) are documented in docs/PROTOCOL.md.
/// </summary>
public sealed record SocialOptions
{
    public static SocialOptions Default { get; } = new();

    /// <summary>
    /// False: the node takes no part in the social layer (its requests are answered UNSUPPORTED, nobody counts as a
    /// friend or blocked). For nodes that only relay, and for tests of other modules that claim the same envelope kinds.
    /// </summary>
    public bool Enabled { get; init; } = true;

    public int MaxDisplayNameChars { get; init; } = 64;

    public int MaxBioChars { get; init; } = 1000;

    public int MaxProfessionChars { get; init; } = 64;

    public int MaxThumbnailBytes { get; init; } = 16384;

    /// <summary>Largest side of a thumbnail, in pixels (128×128 at most).</summary>
    public int MaxThumbnailSide { get; init; } = 128;

    /// <summary>Longest side of the full photo published as a URN; larger photos are scaled down before publishing.</summary>
    public int MaxPhotoSide { get; init; } = 2048;

    /// <summary>A photo file larger than this is refused before it is read.</summary>
    public long MaxPhotoFileBytes { get; init; } = 64L << 20;

    /// <summary>A photo whose header claims more pixels than this is refused before any decoding (decompression bombs).</summary>
    public long MaxPhotoPixels { get; init; } = 100_000_000;

    /// <summary>Pixels decoded at most, after the decoder's own scaling (JPEG scales by 1/8 while decoding; PNG does not).</summary>
    public long MaxDecodedPixels { get; init; } = 25_000_000;

    public int MaxFriendMessageChars { get; init; } = 280;

    /// <summary>Pending incoming friend requests kept; when full the oldest is dropped (section 9).</summary>
    public int MaxPendingRequests { get; init; } = 100;

    /// <summary>Friend requests and responses accepted from one peer: a flood beyond this is answered RATE_LIMITED before any storage.</summary>
    public double FriendRequestsPerSecond { get; init; } = 0.2;

    public double FriendRequestBurst { get; init; } = 5;

    public int MaxChatTextChars { get; init; } = 4096;

    public int MaxChatTextBytes { get; init; } = 16384;

    /// <summary>Chat messages in flight to one friend at once (a window below the peer's 64 awaiting requests).</summary>
    public int SendWindow { get; init; } = 32;

    /// <summary>How often a live session's unanswered outbox is tried again (besides at each session start).</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>After RATE_LIMITED or a timeout, how long the courier waits before trying again.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for a peer's profile when a session starts or on <c>profile show</c>.</summary>
    public TimeSpan ProfileTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
