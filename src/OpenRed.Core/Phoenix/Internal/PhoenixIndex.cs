using Google.Protobuf;
using Microsoft.Data.Sqlite;
using OpenRed.Core.Identity;
using OpenRed.Core.Storage;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>
/// The module's tables: records and their roles, which chunks are on disk with their last use, the highest
/// version seen per publisher and name, the publisher a name first resolved to, and known holders. One
/// connection for the module's life, behind a lock: every statement is short, and this keeps per-chunk writes
/// at tens of microseconds.
/// </summary>
internal sealed class PhoenixIndex : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();

    // Records by content id as last read: a chunk server looks its record up for every chunk it serves, and reading
    // it again means parsing every chunk hash and hashing them all for the content id (for a 4 GiB URN, more bytes
    // than the chunk). Any write to the records table clears it.
    private readonly Dictionary<string, StoredUrn?> _byRoot = new(StringComparer.Ordinal);

    // Last-use marks waiting to be written, in one transaction per batch: a mark per chunk served cost a statement
    // (and a commit) per chunk. Eviction flushes them first; a crash loses at most one batch of LRU order, no data.
    private readonly Dictionary<string, (byte[] Hash, long Ms)> _touches = new(StringComparer.Ordinal);
    private long _chunkBytes;

    // The per-chunk statements, prepared on first use and kept for the connection's life (used under the lock).
    private SqliteCommand? _hasChunk;
    private SqliteCommand? _addChunk;

    public PhoenixIndex(NodeDatabase database)
    {
        _db = database.OpenConnection();
        _chunkBytes = (long)(Scalar("SELECT coalesce(sum(size), 0) FROM phoenix_chunks;") ?? 0L);
    }

    /// <summary>Bytes of every chunk on disk.</summary>
    public long ChunkBytes => Interlocked.Read(ref _chunkBytes);

    /// <summary>Last-use marks kept in memory until this many are waiting (or an eviction or shutdown needs them).</summary>
    public const int TouchBatch = 64;

    public void Dispose()
    {
        lock (_lock)
        {
            FlushTouches();
            _hasChunk?.Dispose();
            _addChunk?.Dispose();
        }

        _db.Dispose();
    }

    /// <summary>Adds a record, or raises the role of one held already (a role never goes down here).</summary>
    public void PutRecord(RecordInfo info, UrnRole role, string? sourcePath, long nowMs)
    {
        lock (_lock)
        {
            _byRoot.Clear();
            using var tx = _db.BeginTransaction();
            using (var cmd = Command("""
                INSERT INTO phoenix_records (root, name, publisher, version, size, record, role, source_path, added_ms)
                VALUES ($root, $name, $publisher, $version, $size, $record, $role, $source, $now)
                ON CONFLICT (root) DO UPDATE SET
                    role = max(role, excluded.role),
                    source_path = coalesce(excluded.source_path, source_path),
                    source_changed = CASE WHEN excluded.source_path IS NULL THEN source_changed ELSE 0 END;
                """, tx))
            {
                cmd.Parameters.AddWithValue("$root", info.Root);
                cmd.Parameters.AddWithValue("$name", info.Name);
                cmd.Parameters.AddWithValue("$publisher", info.Publisher.Bytes.ToArray());
                cmd.Parameters.AddWithValue("$version", unchecked((long)info.Version));
                cmd.Parameters.AddWithValue("$size", (long)info.Size);
                cmd.Parameters.AddWithValue("$record", info.Record.ToByteArray());
                cmd.Parameters.AddWithValue("$role", (int)role);
                cmd.Parameters.AddWithValue("$source", (object?)sourcePath ?? DBNull.Value);
                cmd.Parameters.AddWithValue("$now", nowMs);
                cmd.ExecuteNonQuery();
            }

            using (var chunks = Command("INSERT OR IGNORE INTO phoenix_record_chunks (root, idx, hash) VALUES ($root, $idx, $hash);", tx))
            {
                var root = chunks.Parameters.AddWithValue("$root", info.Root);
                var idx = chunks.Parameters.Add("$idx", SqliteType.Integer);
                var hash = chunks.Parameters.Add("$hash", SqliteType.Blob);
                chunks.Prepare();
                for (var i = 0; i < info.ChunkCount; i++)
                {
                    idx.Value = i;
                    hash.Value = info.Hash(i).ToArray();
                    chunks.ExecuteNonQuery();
                }
            }

            NoteVersionCore(info, tx);
            tx.Commit();
        }
    }

    public void SetRole(byte[] root, UrnRole role) =>
        Execute("UPDATE phoenix_records SET role = $role WHERE root = $root;", ("$role", (int)role), ("$root", root));

    public void MarkSourceChanged(byte[] root) =>
        Execute("UPDATE phoenix_records SET source_changed = 1 WHERE root = $root;", ("$root", root));

    public StoredUrn? Get(byte[] root)
    {
        var key = Convert.ToHexString(root);
        lock (_lock)
        {
            if (_byRoot.TryGetValue(key, out var known))
            {
                return known;
            }

            var stored = Records("WHERE root = $root", ("$root", root)).FirstOrDefault();
            if (_byRoot.Count >= 256)
            {
                _byRoot.Clear();
            }

            _byRoot[key] = stored;
            return stored;
        }
    }

    /// <summary>Records of <paramref name="name"/>, of one publisher when given, newest first.</summary>
    public IReadOnlyList<StoredUrn> ByName(string name, Fingerprint? publisher) =>
        publisher is null
            ? Records("WHERE name = $name", ("$name", name))
            : Records("WHERE name = $name AND publisher = $publisher", ("$name", name), ("$publisher", publisher.Bytes.ToArray()));

    public IReadOnlyList<StoredUrn> All() => Records("");

    /// <summary>Removes a record; returns the hashes of its chunks that no other record uses.</summary>
    public IReadOnlyList<byte[]> Remove(byte[] root)
    {
        lock (_lock)
        {
            _byRoot.Clear();
            var orphans = new List<byte[]>();
            using (var cmd = Command("""
                SELECT DISTINCT rc.hash FROM phoenix_record_chunks rc
                WHERE rc.root = $root AND NOT EXISTS (
                    SELECT 1 FROM phoenix_record_chunks o WHERE o.hash = rc.hash AND o.root <> $root);
                """))
            {
                cmd.Parameters.AddWithValue("$root", root);
                using var r = cmd.ExecuteReader();
                while (r.Read())
                {
                    orphans.Add((byte[])r[0]);
                }
            }

            using (var del = Command("DELETE FROM phoenix_records WHERE root = $root; DELETE FROM phoenix_holders WHERE root = $root;"))
            {
                del.Parameters.AddWithValue("$root", root);
                del.ExecuteNonQuery();
            }

            return orphans;
        }
    }

    /// <summary>The highest version seen of a publisher's name; 0 when none.</summary>
    public ulong HighestVersion(Fingerprint publisher, string name)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT version FROM phoenix_versions WHERE publisher = $p AND name = $n;");
            cmd.Parameters.AddWithValue("$p", publisher.Bytes.ToArray());
            cmd.Parameters.AddWithValue("$n", name);
            return cmd.ExecuteScalar() is long v ? unchecked((ulong)v) : 0;
        }
    }

    /// <summary>Remembers a record's version when it is the highest seen of its publisher and name.</summary>
    public void NoteVersion(RecordInfo info)
    {
        lock (_lock)
        {
            NoteVersionCore(info, null);
        }
    }

    public Fingerprint? ResolvedPublisher(string name)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT publisher FROM phoenix_resolved WHERE name = $n;");
            cmd.Parameters.AddWithValue("$n", name);
            return cmd.ExecuteScalar() is byte[] b ? Fingerprint.FromBytes(b) : null;
        }
    }

    public void RememberResolved(string name, Fingerprint publisher) =>
        Execute("INSERT OR IGNORE INTO phoenix_resolved (name, publisher) VALUES ($n, $p);", ("$n", name), ("$p", publisher.Bytes.ToArray()));

    public bool HasChunk(ReadOnlySpan<byte> hash)
    {
        var key = hash.ToArray();
        lock (_lock)
        {
            // Asked for every chunk stored or fetched: prepared once, not parsed again per chunk.
            _hasChunk ??= Prepared("SELECT 1 FROM phoenix_chunks WHERE hash = $h;", ("$h", SqliteType.Blob));
            _hasChunk.Parameters[0].Value = key;
            return _hasChunk.ExecuteScalar() is not null;
        }
    }

    public void AddChunk(ReadOnlySpan<byte> hash, int size, long nowMs) => AddChunks([(hash.ToArray(), size)], nowMs);

    /// <summary>Lists chunks whose files are on disk, in one transaction.</summary>
    public void AddChunks(IReadOnlyList<(byte[] Hash, int Size)> chunks, long nowMs)
    {
        lock (_lock)
        {
            _addChunk ??= Prepared(
                "INSERT OR IGNORE INTO phoenix_chunks (hash, size, last_used_ms) VALUES ($h, $s, $now);",
                ("$h", SqliteType.Blob), ("$s", SqliteType.Integer), ("$now", SqliteType.Integer));
            using var tx = _db.BeginTransaction();
            _addChunk.Transaction = tx;
            long added = 0;
            try
            {
                foreach (var (hash, size) in chunks)
                {
                    _addChunk.Parameters[0].Value = hash;
                    _addChunk.Parameters[1].Value = size;
                    _addChunk.Parameters[2].Value = nowMs;
                    if (_addChunk.ExecuteNonQuery() > 0)
                    {
                        added += size;
                    }
                }

                tx.Commit();
            }
            finally
            {
                _addChunk.Transaction = null;
            }

            Interlocked.Add(ref _chunkBytes, added);
        }
    }

    public void RemoveChunk(ReadOnlySpan<byte> hash)
    {
        var key = hash.ToArray();
        lock (_lock)
        {
            using var cmd = Command("DELETE FROM phoenix_chunks WHERE hash = $h RETURNING size;");
            cmd.Parameters.AddWithValue("$h", key);
            if (cmd.ExecuteScalar() is long size)
            {
                Interlocked.Add(ref _chunkBytes, -size);
            }
        }
    }

    public void Touch(ReadOnlySpan<byte> hash, long nowMs)
    {
        var key = hash.ToArray();
        lock (_lock)
        {
            _touches[Convert.ToHexString(key)] = (key, nowMs);
            if (_touches.Count >= TouchBatch)
            {
                FlushTouches();
            }
        }
    }

    /// <summary>Writes the waiting last-use marks; called under the lock.</summary>
    private void FlushTouches()
    {
        if (_touches.Count == 0)
        {
            return;
        }

        using var tx = _db.BeginTransaction();
        using (var cmd = Command("UPDATE phoenix_chunks SET last_used_ms = max(last_used_ms, $now) WHERE hash = $h;", tx))
        {
            var h = cmd.Parameters.Add("$h", SqliteType.Blob);
            var now = cmd.Parameters.Add("$now", SqliteType.Integer);
            cmd.Prepare();
            foreach (var (hash, ms) in _touches.Values)
            {
                h.Value = hash;
                now.Value = ms;
                cmd.ExecuteNonQuery();
            }
        }

        tx.Commit();
        _touches.Clear();
    }

    /// <summary>Which chunks of a record are on disk, by index.</summary>
    public bool[] Held(RecordInfo info)
    {
        var have = new bool[info.ChunkCount];
        lock (_lock)
        {
            using var cmd = Command("""
                SELECT rc.idx FROM phoenix_record_chunks rc JOIN phoenix_chunks c ON c.hash = rc.hash WHERE rc.root = $root;
                """);
            cmd.Parameters.AddWithValue("$root", info.Root);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var i = r.GetInt32(0);
                if (i < have.Length)
                {
                    have[i] = true;
                }
            }
        }

        return have;
    }

    /// <summary>Unpinned chunks (used only by cached records, or by none), least recently used first.</summary>
    public IReadOnlyList<(byte[] Hash, long Size)> EvictionCandidates(int limit)
    {
        lock (_lock)
        {
            FlushTouches();
            using var cmd = Command("""
                SELECT c.hash, c.size FROM phoenix_chunks c
                WHERE NOT EXISTS (
                    SELECT 1 FROM phoenix_record_chunks rc JOIN phoenix_records r ON r.root = rc.root
                    WHERE rc.hash = c.hash AND r.role > 0)
                ORDER BY c.last_used_ms LIMIT $limit;
                """);
            cmd.Parameters.AddWithValue("$limit", limit);
            using var r = cmd.ExecuteReader();
            var list = new List<(byte[], long)>();
            while (r.Read())
            {
                list.Add(((byte[])r[0], r.GetInt64(1)));
            }

            return list;
        }
    }

    /// <summary>Bytes of replica records in all, or of one publisher's.</summary>
    public long ReplicaBytes(Fingerprint? publisher = null)
    {
        lock (_lock)
        {
            using var cmd = Command(publisher is null
                ? "SELECT coalesce(sum(size), 0) FROM phoenix_records WHERE role = 2;"
                : "SELECT coalesce(sum(size), 0) FROM phoenix_records WHERE role = 2 AND publisher = $p;");
            if (publisher is not null)
            {
                cmd.Parameters.AddWithValue("$p", publisher.Bytes.ToArray());
            }

            return (long)cmd.ExecuteScalar()!;
        }
    }

    public void AddHolder(byte[] root, Fingerprint fingerprint, string nodeId, string host, int port, long nowMs) =>
        Execute("""
            INSERT INTO phoenix_holders (root, fingerprint, node_id, host, port, seen_ms) VALUES ($r, $f, $n, $h, $p, $now)
            ON CONFLICT (root, fingerprint) DO UPDATE SET node_id = excluded.node_id, seen_ms = excluded.seen_ms,
                host = CASE WHEN excluded.host = '' THEN host ELSE excluded.host END,
                port = CASE WHEN excluded.port = 0 THEN port ELSE excluded.port END;
            """,
            ("$r", root), ("$f", fingerprint.Bytes.ToArray()), ("$n", nodeId), ("$h", host), ("$p", port), ("$now", nowMs));

    public void RemoveHolder(byte[] root, Fingerprint fingerprint) =>
        Execute("DELETE FROM phoenix_holders WHERE root = $r AND fingerprint = $f;", ("$r", root), ("$f", fingerprint.Bytes.ToArray()));

    public IReadOnlyList<KnownHolder> Holders(byte[] root)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT fingerprint, node_id, host, port, seen_ms FROM phoenix_holders WHERE root = $r ORDER BY seen_ms DESC;");
            cmd.Parameters.AddWithValue("$r", root);
            using var r = cmd.ExecuteReader();
            var list = new List<KnownHolder>();
            while (r.Read())
            {
                list.Add(new KnownHolder(Fingerprint.FromBytes((byte[])r[0]), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetInt64(4)));
            }

            return list;
        }
    }

    private void NoteVersionCore(RecordInfo info, SqliteTransaction? tx)
    {
        using var read = Command("SELECT version FROM phoenix_versions WHERE publisher = $p AND name = $n;", tx);
        read.Parameters.AddWithValue("$p", info.Publisher.Bytes.ToArray());
        read.Parameters.AddWithValue("$n", info.Name);
        if (read.ExecuteScalar() is long v && unchecked((ulong)v) >= info.Version)
        {
            return;
        }

        using var write = Command("""
            INSERT INTO phoenix_versions (publisher, name, version) VALUES ($p, $n, $v)
            ON CONFLICT (publisher, name) DO UPDATE SET version = excluded.version;
            """, tx);
        write.Parameters.AddWithValue("$p", info.Publisher.Bytes.ToArray());
        write.Parameters.AddWithValue("$n", info.Name);
        write.Parameters.AddWithValue("$v", unchecked((long)info.Version));
        write.ExecuteNonQuery();
    }

    private List<StoredUrn> Records(string where, params (string Name, object Value)[] args)
    {
        lock (_lock)
        {
            using var cmd = Command($"SELECT record, role, source_path, source_changed, added_ms FROM phoenix_records {where} ORDER BY name, publisher, version DESC;");
            foreach (var (n, v) in args)
            {
                cmd.Parameters.AddWithValue(n, v);
            }

            using var r = cmd.ExecuteReader();
            var list = new List<StoredUrn>();
            while (r.Read())
            {
                var record = UrnRecord.Parser.ParseFrom((byte[])r[0]);
                list.Add(new StoredUrn(
                    RecordInfo.Trusted(record), (UrnRole)r.GetInt32(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt32(3) != 0, r.GetInt64(4)));
            }

            return list;
        }
    }

    private void Execute(string sql, params (string Name, object Value)[] args)
    {
        lock (_lock)
        {
            if (sql.Contains("phoenix_records", StringComparison.Ordinal))
            {
                _byRoot.Clear();
            }

            using var cmd = Command(sql);
            foreach (var (n, v) in args)
            {
                cmd.Parameters.AddWithValue(n, v);
            }

            cmd.ExecuteNonQuery();
        }
    }

    private object? Scalar(string sql)
    {
        lock (_lock)
        {
            using var cmd = Command(sql);
            return cmd.ExecuteScalar();
        }
    }

    private SqliteCommand Prepared(string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var cmd = Command(sql);
        foreach (var (name, type) in parameters)
        {
            cmd.Parameters.Add(name, type);
        }

        cmd.Prepare();
        return cmd;
    }

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd;
    }
}
