namespace OpenRed.Core.Phoenix.Internal;

/// <summary>A record the node keeps, with its role and, for its own publications, the source file.</summary>
internal sealed record StoredUrn(RecordInfo Info, UrnRole Role, string? SourcePath, bool SourceChanged, long AddedMs);

/// <summary>A peer known to hold a record, with where it was last seen.</summary>
internal sealed record KnownHolder(Identity.Fingerprint Fingerprint, string NodeId, string Host, int Port, long SeenMs);
