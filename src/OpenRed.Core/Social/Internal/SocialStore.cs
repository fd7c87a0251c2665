using Microsoft.Data.Sqlite;
using OpenRed.Core.Identity;
using OpenRed.Core.Storage;

namespace OpenRed.Core.Social.Internal;

/// <summary>
/// The social tables. Each call is one short transaction, committed before it returns, so that whatever the caller
/// does next (send, answer Ack or a receipt) happens only after the fact is on disk. The store keeps one connection
/// and lends it under a lock: opening a connection (pooling is off) costs more than a chat message's whole write.
/// </summary>
internal sealed partial class SocialStore(NodeDatabase database) : IDisposable
{
    private readonly object _gate = new();
    private SqliteConnection? _connection;
    private bool _disposed;

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _connection?.Dispose();
            _connection = null;
        }
    }

    private Lease Open()
    {
        Monitor.Enter(_gate);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _connection ??= database.OpenConnection();
            return new Lease(this, _connection);
        }
        catch
        {
            Monitor.Exit(_gate);
            throw;
        }
    }

    /// <summary>The store's connection, held until disposed (on the same thread: store calls never await).</summary>
    private sealed class Lease(SocialStore owner, SqliteConnection connection) : IDisposable
    {
        public SqliteConnection Connection => connection;

        public void Dispose() => Monitor.Exit(owner._gate);
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return command;
    }

    private static byte[] Key(Fingerprint fingerprint) => fingerprint.Bytes.ToArray();

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>Friends, pending in, pending out, blocked, outbox, unread.</summary>
    public (int Friends, int PendingIn, int PendingOut, int Blocked, int Outbox, int Unread) Tally()
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, """
            SELECT
              (SELECT count(*) FROM social_peers WHERE state = 'friend'),
              (SELECT count(*) FROM social_peers WHERE state = 'pending_in'),
              (SELECT count(*) FROM social_peers WHERE state = 'pending_out'),
              (SELECT count(*) FROM social_peers WHERE state = 'blocked'),
              (SELECT count(*) FROM social_messages WHERE state IN ('queued', 'sent')),
              (SELECT count(*) FROM social_messages WHERE read = 0);
            """);
        using var r = cmd.ExecuteReader();
        r.Read();
        return (r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), r.GetInt32(3), r.GetInt32(4), r.GetInt32(5));
    }
}
