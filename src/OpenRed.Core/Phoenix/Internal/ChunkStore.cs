namespace OpenRed.Core.Phoenix.Internal;

/// <summary>
/// The content-addressed chunk store: files on disk (<see cref="ChunkFiles"/>) and their index (last use, size), with
/// least-recently-used eviction of unpinned chunks beyond the cache size. Chunks of a fetch in progress are
/// protected from eviction until it ends.
/// </summary>
internal sealed class ChunkStore
{
    private readonly ChunkFiles _files;
    private readonly PhoenixIndex _index;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, int> _protected = new(StringComparer.Ordinal);
    private readonly Lock _evictLock = new();
    private long _corrupt;
    private long _evicted;

    public ChunkStore(ChunkFiles files, PhoenixIndex index, long capacityBytes, TimeProvider time)
    {
        _files = files;
        _index = index;
        Capacity = capacityBytes;
        _time = time;
    }

    public long Capacity { get; }

    public long Bytes => _index.ChunkBytes;

    /// <summary>Chunks found corrupt on read (deleted, to be fetched or regenerated again).</summary>
    public long CorruptFound => Interlocked.Read(ref _corrupt);

    public long Evicted => Interlocked.Read(ref _evicted);

    public bool Has(ReadOnlySpan<byte> hash) => _index.HasChunk(hash);

    /// <summary>The chunk, checked against its hash; null when absent or found corrupt (then it is gone from the store).</summary>
    public byte[]? Read(ReadOnlySpan<byte> hash) => Kept(hash, _files.Read(hash, out var corrupt), corrupt);

    /// <summary>
    /// <see cref="Read"/> into a pooled buffer of at least <paramref name="length"/> bytes (the chunk's length in its
    /// record), for a caller that copies the bytes out at once and then returns the buffer to
    /// <see cref="System.Buffers.ArrayPool{T}.Shared"/>.
    /// </summary>
    public byte[]? ReadPooled(ReadOnlySpan<byte> hash, int length) =>
        Kept(hash, _files.ReadPooled(hash, length, out var corrupt), corrupt);

    /// <summary>Whether a listed chunk is still on disk and matches its hash, without keeping its bytes (see <see cref="Read"/>).</summary>
    public bool Verify(ReadOnlySpan<byte> hash, int length)
    {
        var data = ReadPooled(hash, length);
        if (data is null)
        {
            return false;
        }

        System.Buffers.ArrayPool<byte>.Shared.Return(data);
        return true;
    }

    /// <summary>
    /// Lists a chunk whose file is on disk but not in the index: the chunk writer writes files before their index rows,
    /// so a kill between the two leaves such files. The file is read and checked against its hash first (a corrupt one
    /// is deleted); true when the chunk is now held.
    /// </summary>
    public bool Adopt(ReadOnlySpan<byte> hash, int length)
    {
        var data = _files.ReadPooled(hash, length, out var corrupt);
        if (data is null)
        {
            CountCorrupt(corrupt);
            return false;
        }

        System.Buffers.ArrayPool<byte>.Shared.Return(data);
        _index.AddChunk(hash, length, Now());
        return true;
    }

    /// <summary>A chunk read from its file: touched when it is there, unlisted when it is gone or was corrupt (deleted).</summary>
    private byte[]? Kept(ReadOnlySpan<byte> hash, byte[]? data, bool corrupt)
    {
        if (data is null)
        {
            CountCorrupt(corrupt);
            _index.RemoveChunk(hash);
            return null;
        }

        _index.Touch(hash, Now());
        return data;
    }

    private void CountCorrupt(bool corrupt)
    {
        if (corrupt)
        {
            Interlocked.Increment(ref _corrupt);
        }
    }

    /// <summary>
    /// Stores a chunk after checking it against <paramref name="hash"/>; false when it does not match. Without
    /// <paramref name="evict"/> the store may stay over its size until <see cref="Evict"/> (a publication in progress,
    /// whose chunks are pinned only once its record is stored).
    /// </summary>
    public bool Put(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> data, bool evict = true)
    {
        if (!ChunkFiles.HashMatches(hash, data))
        {
            return false;
        }

        if (!_index.HasChunk(hash) || !_files.Exists(hash))
        {
            _files.Write(hash, data);
            _index.AddChunk(hash, data.Length, Now());
        }

        if (evict)
        {
            Evict();
        }

        return true;
    }

    /// <summary>
    /// Stores chunks the caller has checked against their hashes: each file written (or found) first, then every
    /// index row in one transaction, so a chunk the index lists is always on disk, and a batch costs one commit.
    /// </summary>
    public void PutVerified(IReadOnlyList<VerifiedChunk> chunks)
    {
        var rows = new List<(byte[] Hash, int Size)>(chunks.Count);
        foreach (var c in chunks)
        {
            if (!_index.HasChunk(c.Hash) || !_files.Exists(c.Hash))
            {
                _files.Write(c.Hash, c.Data.Span);
            }

            rows.Add((c.Hash, c.Data.Length));
        }

        _index.AddChunks(rows, Now());
        Evict();
    }

    /// <summary>Drops chunks no record needs any more (after unpublish).</summary>
    public void Delete(IEnumerable<byte[]> hashes)
    {
        foreach (var h in hashes)
        {
            _files.Delete(h);
            _index.RemoveChunk(h);
        }
    }

    /// <summary>Keeps the chunks of <paramref name="info"/> from eviction until the result is disposed.</summary>
    public IDisposable Protect(RecordInfo info)
    {
        var keys = Enumerable.Range(0, info.ChunkCount).Select(i => Convert.ToHexStringLower(info.Hash(i))).ToList();
        lock (_evictLock)
        {
            foreach (var k in keys)
            {
                _protected[k] = _protected.GetValueOrDefault(k) + 1;
            }
        }

        return new Release(this, keys);
    }

    /// <summary>Evicts unpinned chunks, least recently used first, until the store fits its capacity.</summary>
    public void Evict()
    {
        if (_index.ChunkBytes <= Capacity)
        {
            return;
        }

        lock (_evictLock)
        {
            var skipped = 0;
            while (_index.ChunkBytes > Capacity)
            {
                var candidates = _index.EvictionCandidates(skipped + 64);
                var progress = false;
                foreach (var (hash, _) in candidates.Skip(skipped))
                {
                    if (_protected.ContainsKey(Convert.ToHexStringLower(hash)))
                    {
                        skipped++;
                        continue;
                    }

                    _files.Delete(hash);
                    _index.RemoveChunk(hash);
                    Interlocked.Increment(ref _evicted);
                    progress = true;
                    if (_index.ChunkBytes <= Capacity)
                    {
                        return;
                    }
                }

                if (!progress)
                {
                    // Everything left is pinned or in use: the store stays over its size until that changes.
                    return;
                }
            }
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Unprotect(List<string> keys)
    {
        lock (_evictLock)
        {
            foreach (var k in keys)
            {
                if (_protected.TryGetValue(k, out var n) && n > 1)
                {
                    _protected[k] = n - 1;
                }
                else
                {
                    _protected.Remove(k);
                }
            }
        }
    }

    private sealed class Release(ChunkStore store, List<string> keys) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                store.Unprotect(keys);
            }
        }
    }
}
