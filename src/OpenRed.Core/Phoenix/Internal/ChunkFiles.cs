using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>
/// Chunks on disk, addressed by their SHA-256: <c>chunks/ab/abcd…</c>. A chunk is written to a temporary file and
/// renamed into place, so a reader (or a restart after kill -9) sees a whole chunk or none; it is hashed again
/// whenever it is read, and one that no longer matches is deleted.
/// </summary>
internal sealed class ChunkFiles
{
    private readonly string _root;
    private readonly string _temp;

    // Fan-out directories known to exist: made once, not checked again for every chunk written.
    private readonly ConcurrentDictionary<string, byte> _directories = new(StringComparer.Ordinal);

    public ChunkFiles(string root)
    {
        _root = root;
        _temp = Path.Combine(root, "tmp");
        Directory.CreateDirectory(_temp);
        // Leftovers of a write that a crash interrupted: never renamed, so never part of the store.
        foreach (var stale in Directory.EnumerateFiles(_temp))
        {
            File.Delete(stale);
        }
    }

    public string PathOf(ReadOnlySpan<byte> hash)
    {
        var hex = Convert.ToHexStringLower(hash);
        return Path.Combine(_root, hex[..2], hex);
    }

    public bool Exists(ReadOnlySpan<byte> hash) => File.Exists(PathOf(hash));

    /// <summary>Writes a chunk whose hash the caller has checked.</summary>
    public void Write(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> data)
    {
        var path = PathOf(hash);
        var directory = Path.GetDirectoryName(path)!;
        if (!_directories.ContainsKey(directory))
        {
            Directory.CreateDirectory(directory);
            _directories.TryAdd(directory, 0);
        }

        var temp = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
        try
        {
            // A handle and one positioned write: a FileStream adds a lock and a stat per file, per chunk. The name is
            // fresh and private, so nothing else opens it before the rename.
            using (var f = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite))
            {
                RandomAccess.Write(f, data, 0);
            }

            try
            {
                File.Move(temp, path, overwrite: true);
            }
            catch (DirectoryNotFoundException)
            {
                // Removed since it was made (by hand): make it again.
                Directory.CreateDirectory(directory);
                File.Move(temp, path, overwrite: true);
            }
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Like <see cref="Read"/>, into a buffer from the shared pool (a chunk served is copied into its frame at once,
    /// so a fresh 256 KiB array per chunk would only feed the collector); the caller returns it with
    /// <see cref="ArrayPool{T}.Return"/>. Null when absent or corrupt (then deleted).
    /// </summary>
    public byte[]? ReadPooled(ReadOnlySpan<byte> hash, int expectedLength, out bool corrupt)
    {
        corrupt = false;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(expectedLength, 1));
        try
        {
            int n;
            try
            {
                using var f = File.OpenHandle(PathOf(hash), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                n = ReadFully(f, buffer.AsSpan(0, expectedLength));

                // One byte more than the record says would be a corrupt (longer) file.
                Span<byte> extra = stackalloc byte[1];
                if (n == expectedLength && RandomAccess.Read(f, extra, n) > 0)
                {
                    n = -1;
                }
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return null;
            }

            if (n != expectedLength || !HashMatches(hash, buffer.AsSpan(0, n)))
            {
                corrupt = true;
                Delete(hash);
                ArrayPool<byte>.Shared.Return(buffer);
                return null;
            }

            return buffer;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>The chunk's bytes when the file exists and still hashes to <paramref name="hash"/>; a bad file is deleted.</summary>
    public byte[]? Read(ReadOnlySpan<byte> hash, out bool corrupt)
    {
        corrupt = false;
        var path = PathOf(hash);
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        if (!HashMatches(hash, data))
        {
            corrupt = true;
            Delete(hash);
            return null;
        }

        return data;
    }

    public void Delete(ReadOnlySpan<byte> hash)
    {
        try
        {
            File.Delete(PathOf(hash));
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }

    private static int ReadFully(Microsoft.Win32.SafeHandles.SafeFileHandle f, Span<byte> into)
    {
        var done = 0;
        while (done < into.Length)
        {
            var n = RandomAccess.Read(f, into[done..], done);
            if (n == 0)
            {
                break;
            }

            done += n;
        }

        return done;
    }

    public static bool HashMatches(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> data)
    {
        Span<byte> actual = stackalloc byte[32];
        SHA256.HashData(data, actual);
        return CryptographicOperations.FixedTimeEquals(actual, hash);
    }
}
