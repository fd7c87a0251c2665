namespace OpenRed.Core.Phoenix;

/// <summary>Why a record is dropped (section 8); each is counted in <c>status</c>.</summary>
public enum RecordProblem
{
    Name,
    PublisherKey,
    MediaType,
    Size,
    ChunkSize,
    ChunkHashes,
    Signature,
}
