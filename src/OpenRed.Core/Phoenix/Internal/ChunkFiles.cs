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
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
        try
        {
            using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                f.Write(data);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
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

    public static bool HashMatches(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> data)
    {
        Span<byte> actual = stackalloc byte[32];
        SHA256.HashData(data, actual);
        return CryptographicOperations.FixedTimeEquals(actual, hash);
    }
}
