using OpenRed.Core.Identity;

namespace OpenRed.Core.Phoenix;

/// <summary>Which step of section 8's resolution produced the content.</summary>
public enum ResurrectStage
{
    Cache,
    Network,
    Regeneration,
}

/// <summary>A node that holds (or supplied) a URN; its node-id is its own claim, for display only.</summary>
public sealed record UrnHolder(Fingerprint Fingerprint, string NodeId, int Chunks);

/// <summary>A resurrection that succeeded: the content is stored and verified, and written to <see cref="OutputPath"/>.</summary>
public sealed record ResurrectResult(
    string Name,
    Fingerprint Publisher,
    string? PublisherNodeId,
    ulong Version,
    string MediaType,
    ulong Size,
    int ChunkCount,
    string ContentId,
    ResurrectStage Stage,
    TimeSpan Elapsed,
    IReadOnlyList<UrnHolder> Holders,
    string? OutputPath,
    string? Warning);

/// <summary>How far a resurrection is: bytes held of the total, from how many holders.</summary>
public sealed record ResurrectProgress(long BytesHeld, long TotalBytes, int Holders);

/// <summary>A publication: the signed record's facts and the replicas that acknowledged it.</summary>
public sealed record PublishResult(
    string Name,
    Fingerprint Publisher,
    ulong Version,
    string MediaType,
    ulong Size,
    int ChunkCount,
    string ContentId,
    int ReplicasWanted,
    IReadOnlyList<UrnHolder> Replicas,
    TimeSpan Elapsed);

/// <summary>A URN this node holds, for <c>urns</c>.</summary>
public sealed record UrnEntry(
    string Name,
    Fingerprint Publisher,
    string? PublisherNodeId,
    ulong Version,
    string MediaType,
    ulong Size,
    UrnRole Role,
    int ChunksHeld,
    int ChunkCount,
    int LiveReplicas,
    string ContentId,
    bool SourceChanged,
    DateTimeOffset AddedAt);

/// <summary>Progress of one --auto-resurrect URN.</summary>
public sealed record AutoResurrectState(string Urn, bool Held, int Attempts, DateTimeOffset? NextAttemptAt, string? LastError);

/// <summary>The Phoenix commands of the node: publish, unpublish, resurrect, list.</summary>
public interface IPhoenix
{
    /// <summary>Stores the file chunk by chunk, signs its record, offers it to the replicas and waits (bounded) for their acknowledgements.</summary>
    /// <exception cref="PhoenixException">Bad name or type, unreadable, too large, or changed while published.</exception>
    Task<PublishResult> PublishAsync(string path, string? name, string? mediaType, CancellationToken cancellationToken);

    /// <summary>Stops publishing a URN of this node; its chunks leave the store unless another record uses them.</summary>
    /// <returns>False when this node publishes no such URN.</returns>
    Task<bool> UnpublishAsync(string name, CancellationToken cancellationToken);

    /// <summary>Resolves a URN (<c>name</c> or <c>name@fingerprint-prefix</c>): cache, network, regeneration.</summary>
    /// <exception cref="PhoenixException">Not found in time (the message says what was tried), ambiguous, or bad name.</exception>
    Task<ResurrectResult> ResurrectAsync(
        string urn, string? outputPath, TimeSpan? timeout, IProgress<ResurrectProgress>? progress, CancellationToken cancellationToken);

    /// <summary>What this node holds, by name then publisher.</summary>
    IReadOnlyList<UrnEntry> ListUrns();

    /// <summary>The --auto-resurrect URNs and how far each is.</summary>
    IReadOnlyList<AutoResurrectState> AutoResurrect { get; }
}
