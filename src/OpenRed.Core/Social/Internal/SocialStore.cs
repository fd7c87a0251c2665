using Microsoft.Data.Sqlite;
using OpenRed.Core.Identity;
using OpenRed.Core.Storage;

namespace OpenRed.Core.Social.Internal;

/// <summary>
/// The social tables. Each call is one short transaction on its own connection, committed before it returns, so
/// that whatever the caller does next (send, answer Ack or a receipt) happens only after the fact is on disk.
/// </summary>
internal sealed partial class SocialStore(NodeDatabase database)
{
    private SqliteConnection Open() => database.OpenConnection();

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

    private int Count(string sql)
    {
        using var c = Open();
        using var cmd = Command(c, sql);
        return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Friends, pending in, pending out, blocked, outbox, unread.</summary>
    public (int Friends, int PendingIn, int PendingOut, int Blocked, int Outbox, int Unread) Tally()
    {
        using var c = Open();
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
