namespace OpenRed.Core.Wire;

/// <summary>
/// The per-message limits a session enforces on receipt (sections 7, 8, 9 and 11), defaults from the spec. A limit
/// in characters is checked here as four bytes per character, the most UTF-8 needs, so the check runs on the bytes
/// before anything is decoded; the module that keeps the text checks the characters.
/// </summary>
public sealed record EnvelopeLimits
{
    public static EnvelopeLimits Default { get; } = new();

    /// <summary>PeerExchange entries per message (section 7).</summary>
    public int MaxPeerExchangeEntries { get; init; } = 50;

    /// <summary>Holders in one UrnFound (section 8).</summary>
    public int MaxHolders { get; init; } = 16;

    /// <summary>Chunk hashes of one record: 2^32 bytes in chunks of 262144 (section 11).</summary>
    public int MaxChunkHashes { get; init; } = 16384;

    /// <summary>URN name characters (section 8); the pattern is ASCII, so also its bytes.</summary>
    public int MaxUrnNameChars { get; init; } = 128;

    /// <summary>Media type characters of a record (section 8), printable ASCII.</summary>
    public int MaxMediaTypeChars { get; init; } = 128;

    public int MaxChatTextChars { get; init; } = 4096;

    public int MaxChatTextBytes { get; init; } = 16384;

    public int MaxFriendMessageChars { get; init; } = 280;

    public int MaxDisplayNameChars { get; init; } = 64;

    public int MaxBioChars { get; init; } = 1000;

    public int MaxProfessionChars { get; init; } = 64;

    public int MaxThumbnailBytes { get; init; } = 16384;

    /// <summary>
    /// Not in the spec: <c>Goodbye.reason</c> and <c>Error.message</c> are "short messages for logs" without a
    /// number, so they are cut to this many bytes (at a character boundary) on receipt rather than refused.
    /// </summary>
    public int MaxReasonBytes { get; init; } = 256;

    /// <summary>
    /// Not in the spec: fields of one message that are not a counted repeated field (the message's own fields,
    /// repeats of them, unknown fields). A conforming sender writes each field once, so a few dozen leave room for
    /// fields of later versions while a message of a million empty fields is a violation before it is parsed.
    /// </summary>
    public int MaxFieldsPerMessage { get; init; } = 64;

    internal void Validate()
    {
        foreach (var (value, name) in new[]
        {
            (MaxPeerExchangeEntries, nameof(MaxPeerExchangeEntries)), (MaxHolders, nameof(MaxHolders)),
            (MaxChunkHashes, nameof(MaxChunkHashes)),
            (MaxUrnNameChars, nameof(MaxUrnNameChars)), (MaxMediaTypeChars, nameof(MaxMediaTypeChars)),
            (MaxChatTextChars, nameof(MaxChatTextChars)), (MaxChatTextBytes, nameof(MaxChatTextBytes)),
            (MaxFriendMessageChars, nameof(MaxFriendMessageChars)), (MaxDisplayNameChars, nameof(MaxDisplayNameChars)),
            (MaxBioChars, nameof(MaxBioChars)), (MaxProfessionChars, nameof(MaxProfessionChars)),
            (MaxThumbnailBytes, nameof(MaxThumbnailBytes)), (MaxReasonBytes, nameof(MaxReasonBytes)),
            (MaxFieldsPerMessage, nameof(MaxFieldsPerMessage)),
        })
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, name);
        }
    }
}
