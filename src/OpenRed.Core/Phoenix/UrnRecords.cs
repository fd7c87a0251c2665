using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using OpenRed.Core.Identity;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Phoenix;

/// <summary>The record of section 8: its signed input, its content id, its checks, and making a signed one.</summary>
public static class UrnRecords
{
    public const string SignatureContext = "OpenRed/1 URN";

    /// <summary>The only chunk size of version 1.</summary>
    public const int ChunkSize = 262144;

    /// <summary>2^32 bytes.</summary>
    public const ulong MaxSize = 1UL << 32;

    public const int MaxChunks = (int)(MaxSize / ChunkSize);

    public const int HashLength = 32;

    /// <summary><c>"OpenRed/1 URN" || 0x00 || fields</c>, exactly as section 8 lists them.</summary>
    public static byte[] SignedInput(UrnRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var name = Encoding.UTF8.GetBytes(record.Name);
        var key = record.PublisherKey.Span;
        var media = Encoding.UTF8.GetBytes(record.MediaType);
        var context = Encoding.ASCII.GetBytes(SignatureContext);
        var hashes = record.ChunkHashes.Sum(h => h.Length);
        var length = context.Length + 1 + 2 + name.Length + 2 + key.Length + 8 + 2 + media.Length + 8 + 4 + 4 + hashes + 8;
        var m = new byte[length];
        var w = m.AsSpan();
        context.CopyTo(w);
        w = w[(context.Length + 1)..];
        WriteBytes(ref w, name);
        WriteBytes(ref w, key);
        BinaryPrimitives.WriteUInt64BigEndian(w, record.Version);
        w = w[8..];
        WriteBytes(ref w, media);
        BinaryPrimitives.WriteUInt64BigEndian(w, record.Size);
        w = w[8..];
        BinaryPrimitives.WriteUInt32BigEndian(w, record.ChunkSize);
        w = w[4..];
        BinaryPrimitives.WriteUInt32BigEndian(w, (uint)record.ChunkHashes.Count);
        w = w[4..];
        foreach (var h in record.ChunkHashes)
        {
            h.Span.CopyTo(w);
            w = w[h.Length..];
        }

        BinaryPrimitives.WriteUInt64BigEndian(w, record.PublishedAtMs);
        return m;
    }

    /// <summary><c>H(chunk_hashes concatenated)</c>; <c>H("")</c> for empty content.</summary>
    public static byte[] ContentId(UrnRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var h in record.ChunkHashes)
        {
            hash.AppendData(h.Span);
        }

        return hash.GetHashAndReset();
    }

    /// <summary><c>ceil(size / chunk_size)</c>.</summary>
    public static int ChunkCount(ulong size) => (int)((size + ChunkSize - 1) / ChunkSize);

    /// <summary>The length chunk <paramref name="index"/> must have in content of <paramref name="size"/> bytes.</summary>
    public static int ChunkLength(ulong size, int index)
    {
        var start = (ulong)index * ChunkSize;
        return (int)Math.Min(ChunkSize, size - start);
    }

    /// <summary>Null when the record meets every rule of section 8 and its signature verifies; else the first problem.</summary>
    public static RecordProblem? Check(UrnRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!UrnName.IsValid(record.Name))
        {
            return RecordProblem.Name;
        }

        if (!MediaTypes.IsValid(record.MediaType))
        {
            return RecordProblem.MediaType;
        }

        if (record.Size > MaxSize)
        {
            return RecordProblem.Size;
        }

        if (record.ChunkSize != ChunkSize)
        {
            return RecordProblem.ChunkSize;
        }

        if (record.ChunkHashes.Count != ChunkCount(record.Size) || record.ChunkHashes.Any(h => h.Length != HashLength))
        {
            return RecordProblem.ChunkHashes;
        }

        using var key = RsaPublicKey.TryImport(record.PublisherKey.Span, out _);
        if (key is null)
        {
            return RecordProblem.PublisherKey;
        }

        return Signer.Verify(key, SignedInput(record), record.Signature.Span) ? null : RecordProblem.Signature;
    }

    /// <summary>A signed record; <paramref name="sign"/> replaces the publisher's signer (tests).</summary>
    public static UrnRecord Create(
        NodeIdentity publisher, string name, ulong version, string mediaType, ulong size, IEnumerable<byte[]> chunkHashes,
        ulong publishedAtMs, Func<byte[], byte[]>? sign = null)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(chunkHashes);
        var record = new UrnRecord
        {
            Name = name,
            PublisherKey = ByteString.CopyFrom(publisher.Spki),
            Version = version,
            MediaType = mediaType,
            Size = size,
            ChunkSize = ChunkSize,
            PublishedAtMs = publishedAtMs,
        };
        record.ChunkHashes.AddRange(chunkHashes.Select(ByteString.CopyFrom));
        var input = SignedInput(record);
        record.Signature = ByteString.CopyFrom(sign is null ? Signer.Sign(publisher.Key, input) : sign(input));
        return record;
    }

    /// <summary>The fingerprint of the record's publisher key (the key is not checked here).</summary>
    public static Fingerprint Publisher(UrnRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Fingerprint.Of(record.PublisherKey.Span);
    }

    private static void WriteBytes(ref Span<byte> w, ReadOnlySpan<byte> bytes)
    {
        BinaryPrimitives.WriteUInt16BigEndian(w, checked((ushort)bytes.Length));
        bytes.CopyTo(w[2..]);
        w = w[(2 + bytes.Length)..];
    }
}
