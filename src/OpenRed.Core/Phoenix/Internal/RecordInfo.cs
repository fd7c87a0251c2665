using OpenRed.Core.Identity;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>A record that passed <see cref="UrnRecords.Check"/>, with what the node derives from it.</summary>
internal sealed class RecordInfo
{
    private RecordInfo(UrnRecord record)
    {
        Record = record;
        Root = UrnRecords.ContentId(record);
        RootHex = Convert.ToHexStringLower(Root);
        Publisher = UrnRecords.Publisher(record);
    }

    public UrnRecord Record { get; }

    /// <summary>The content id: <c>H(chunk hashes)</c>.</summary>
    public byte[] Root { get; }

    public string RootHex { get; }

    public Fingerprint Publisher { get; }

    public string Name => Record.Name;

    public ulong Version => Record.Version;

    public ulong Size => Record.Size;

    public string MediaType => Record.MediaType;

    public int ChunkCount => Record.ChunkHashes.Count;

    public ReadOnlySpan<byte> Hash(int index) => Record.ChunkHashes[index].Span;

    public int ChunkLength(int index) => UrnRecords.ChunkLength(Record.Size, index);

    /// <summary>Wraps a record already checked (from the node's own store or after <see cref="UrnRecords.Check"/>).</summary>
    public static RecordInfo Trusted(UrnRecord record) => new(record);

    /// <summary>Checks then wraps; null with the problem when the record is dropped.</summary>
    public static RecordInfo? TryCreate(UrnRecord? record, out RecordProblem? problem)
    {
        if (record is null)
        {
            problem = RecordProblem.Name;
            return null;
        }

        problem = UrnRecords.Check(record);
        return problem is null ? new RecordInfo(record) : null;
    }

    /// <summary>Section 8: the higher version wins; then the later publication; then the lower content id.</summary>
    public bool IsNewerThan(RecordInfo other)
    {
        if (Version != other.Version)
        {
            return Version > other.Version;
        }

        if (Record.PublishedAtMs != other.Record.PublishedAtMs)
        {
            return Record.PublishedAtMs > other.Record.PublishedAtMs;
        }

        return Root.AsSpan().SequenceCompareTo(other.Root) < 0;
    }
}
