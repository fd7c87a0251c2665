using System.Security.Cryptography;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>
/// A publisher's source file, read one chunk at a time so that publishing a file of any size holds one chunk in
/// memory: hashing and storing it, checking it again, and regenerating a chunk from it.
/// </summary>
internal static class SourceFile
{
    /// <summary>
    /// Both passes of a publication: hash and store every chunk, then read the file again and compare, so that a file
    /// written to while it was published is refused rather than published with hashes of no single version of it.
    /// </summary>
    /// <param name="chunkStored">Called after each chunk of the first pass is stored (tests change the file there).</param>
    /// <exception cref="PhoenixException">Too large, unreadable, or it changed while being read.</exception>
    public static async Task<(List<byte[]> Hashes, ulong Size)> PublishAsync(
        string path, ChunkStore store, Func<int, CancellationToken, ValueTask>? chunkStored, CancellationToken cancellationToken)
    {
        var (hashes, size) = await StoreAsync(path, store, chunkStored, cancellationToken);
        await VerifyAsync(path, hashes, size, cancellationToken);
        return (hashes, size);
    }

    /// <summary>Hashes and stores every chunk; returns the hashes and the size.</summary>
    /// <exception cref="PhoenixException">Too large, unreadable, or it changed while being read.</exception>
    public static async Task<(List<byte[]> Hashes, ulong Size)> StoreAsync(
        string path, ChunkStore store, Func<int, CancellationToken, ValueTask>? chunkStored, CancellationToken cancellationToken)
    {
        var buffer = new byte[UrnRecords.ChunkSize];
        var hashes = new List<byte[]>();
        ulong size = 0;
        await using var file = Open(path);
        var before = file.Length;
        if ((ulong)before > UrnRecords.MaxSize)
        {
            throw new PhoenixException(PhoenixFailure.TooLarge, $"{path} is {before} bytes; a URN holds at most {UrnRecords.MaxSize} bytes (4 GiB)");
        }

        while (true)
        {
            var n = await ReadFullAsync(file, buffer, cancellationToken);
            if (n == 0)
            {
                break;
            }

            size += (ulong)n;
            if (size > UrnRecords.MaxSize)
            {
                throw new PhoenixException(PhoenixFailure.SourceChanged, $"{path} grew beyond {UrnRecords.MaxSize} bytes while it was read");
            }

            var hash = SHA256.HashData(buffer.AsSpan(0, n));
            store.Put(hash, buffer.AsSpan(0, n), evict: false);
            hashes.Add(hash);
            if (chunkStored is not null)
            {
                await chunkStored(hashes.Count - 1, cancellationToken);
            }

            if (n < buffer.Length)
            {
                break;
            }
        }

        if ((long)size != before)
        {
            throw new PhoenixException(PhoenixFailure.SourceChanged, $"{path} changed while it was published ({before} bytes, then {size}); nothing was published");
        }

        return (hashes, size);
    }

    /// <summary>Reads the file again and compares every chunk's hash: a file that changed while it was published is refused.</summary>
    public static async Task VerifyAsync(string path, IReadOnlyList<byte[]> hashes, ulong size, CancellationToken cancellationToken)
    {
        var buffer = new byte[UrnRecords.ChunkSize];
        await using var file = Open(path);
        if ((ulong)file.Length != size)
        {
            throw Changed(path);
        }

        var actual = new byte[32];
        for (var i = 0; i < hashes.Count; i++)
        {
            var n = await ReadFullAsync(file, buffer, cancellationToken);
            if (n != UrnRecords.ChunkLength(size, i) || !SHA256.TryHashData(buffer.AsSpan(0, n), actual, out _)
                || !actual.SequenceEqual(hashes[i]))
            {
                throw Changed(path);
            }
        }
    }

    /// <summary>Chunk <paramref name="index"/> read from the source, only when it still hashes to <paramref name="hash"/>.</summary>
    public static byte[]? Regenerate(string path, int index, int length, ReadOnlySpan<byte> hash, out bool changed)
    {
        changed = false;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            file.Seek((long)index * UrnRecords.ChunkSize, SeekOrigin.Begin);
            var data = new byte[length];
            file.ReadExactly(data);
            if (ChunkFiles.HashMatches(hash, data))
            {
                return data;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone, shortened or unreadable: the source no longer matches the record.
        }

        changed = true;
        return null;
    }

    private static PhoenixException Changed(string path) =>
        new(PhoenixFailure.SourceChanged, $"{path} changed while it was published (hash mismatch); nothing was published");

    private static FileStream Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new PhoenixException(PhoenixFailure.File, $"{path}: {e.Message}", e);
        }
    }

    private static async Task<int> ReadFullAsync(FileStream file, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await file.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
