using Microsoft.Data.Sqlite;
using OpenRed.Core.Identity;
using OpenRed.Core.Security;
using OpenRed.Core.Storage;

namespace OpenRed.Core.Mesh.Internal;

/// <summary>
/// The link recorder's own connection to the links table, with its statements prepared once. Opening a SQLite
/// connection parses the whole schema (every module's tables) and preparing a statement parses its SQL: done per
/// session, that was most of what a node adds to a handshake. One batch is one transaction. Not thread-safe: its
/// owner (<see cref="LinkRecorder"/>) calls it under its write lock.
/// </summary>
internal sealed class LinkWriter(NodeDatabase db) : IDisposable
{
    private SqliteConnection? _connection;
    private SqliteCommand? _findPin;
    private SqliteCommand? _insertPin;
    private SqliteCommand? _upsert;
    private SqliteCommand? _touch;
    private bool _disposed;

    /// <summary>
    /// Writes <paramref name="writes"/> in order in one transaction; <paramref name="pinnedOut"/> receives, for each
    /// recorded session, the pinned fingerprint when it is another one (see <see cref="LinkStore.Record"/>).
    /// </summary>
    public void Write(IReadOnlyList<LinkRecorder.LinkWrite> writes, Action<LinkRecorder.LinkWrite, Fingerprint> pinnedOut)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = _connection ??= Open();
        using var tx = connection.BeginTransaction();
        foreach (var w in writes)
        {
            _findPin!.Transaction = _insertPin!.Transaction = _upsert!.Transaction = _touch!.Transaction = tx;
            if (w.Peer is null)
            {
                Set(_touch, "$fp", w.Fingerprint.Bytes.ToArray());
                Set(_touch, "$now", w.At.ToUnixTimeMilliseconds());
                _touch.ExecuteNonQuery();
                continue;
            }

            var now = w.At.ToUnixTimeMilliseconds();
            var fp = w.Fingerprint.Bytes.ToArray();
            Set(_findPin, "$node_id", w.Peer.NodeId);
            Fingerprint? pinned = _findPin.ExecuteScalar() is byte[] bytes ? Fingerprint.FromBytes(bytes) : null;
            if (pinned is null)
            {
                Set(_insertPin, "$node_id", w.Peer.NodeId);
                Set(_insertPin, "$fp", fp);
                Set(_insertPin, "$now", now);
                _insertPin.ExecuteNonQuery();
            }

            Set(_upsert, "$fp", fp);
            Set(_upsert, "$key", w.Peer.PublicKey);
            Set(_upsert, "$node_id", w.Peer.NodeId);
            Set(_upsert, "$address", w.Address!);
            Set(_upsert, "$port", w.Port);
            Set(_upsert, "$now", now);
            _upsert.ExecuteNonQuery();
            if (pinned is not null && pinned != w.Peer.Fingerprint)
            {
                pinnedOut(w, pinned);
            }
        }

        tx.Commit();
    }

    /// <summary>Closes the connection; a later <see cref="Write"/> throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _disposed = true;
        _findPin?.Dispose();
        _insertPin?.Dispose();
        _upsert?.Dispose();
        _touch?.Dispose();
        _connection?.Dispose();
        _connection = null;
    }

    private SqliteConnection Open()
    {
        var c = db.OpenConnection();
        _findPin = Prepare(c, "SELECT fingerprint FROM pins WHERE node_id = $node_id;", "$node_id");
        _insertPin = Prepare(c, "INSERT INTO pins (node_id, fingerprint, pinned_at_ms) VALUES ($node_id, $fp, $now);", "$node_id", "$fp", "$now");
        _upsert = Prepare(c, LinkStore.UpsertSql, "$fp", "$key", "$node_id", "$address", "$port", "$now");
        _touch = Prepare(c, LinkStore.TouchSql, "$fp", "$now");
        return c;
    }

    private static SqliteCommand Prepare(SqliteConnection c, string sql, params string[] names)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var n in names)
        {
            cmd.Parameters.Add(new SqliteParameter { ParameterName = n });
        }

        // Compiled once here; SqliteCommand keeps the prepared statement and only rebinds the parameters.
        cmd.Prepare();
        return cmd;
    }

    private static void Set(SqliteCommand cmd, string name, object value) => cmd.Parameters[name].Value = value;
}
