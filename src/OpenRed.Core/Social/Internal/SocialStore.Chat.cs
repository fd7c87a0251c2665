using Microsoft.Data.Sqlite;
using OpenRed.Core.Identity;

namespace OpenRed.Core.Social.Internal;

/// <summary>
/// Chat messages both ways. An outgoing message is stored as queued before any send and leaves the outbox only
/// with its receipt; an incoming one is stored once per (peer, message_id), before the receipt is sent.
/// </summary>
internal sealed partial class SocialStore
{
    private const string MessageColumns =
        "m.peer, COALESCE(p.node_id, f.node_id, ''), m.message_id, m.outgoing, m.text, m.sent_at_ms, m.received_at_ms, m.delivered_at_ms, m.state, m.read";

    private const string MessageJoin =
        "social_messages m LEFT JOIN social_peers p ON p.fingerprint = m.peer LEFT JOIN social_profiles f ON f.fingerprint = m.peer";

    public ChatEntry InsertOutgoing(Fingerprint peer, byte[] messageId, string text, DateTimeOffset sentAt)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, """
            INSERT INTO social_messages (peer, message_id, outgoing, text, sent_at_ms, state, read)
            VALUES ($fp, $id, 1, $text, $sent, 'queued', 1);
            """);
        cmd.Parameters.AddWithValue("$fp", Key(peer));
        cmd.Parameters.AddWithValue("$id", messageId);
        cmd.Parameters.AddWithValue("$text", text);
        cmd.Parameters.AddWithValue("$sent", Ms(sentAt));
        cmd.ExecuteNonQuery();
        return new ChatEntry(peer, "", messageId, true, text, sentAt, null, null, ChatState.Queued, true);
    }

    /// <summary>The friend's unacknowledged messages after <paramref name="afterSeq"/>, oldest first.</summary>
    public IReadOnlyList<OutboxItem> Outbox(Fingerprint peer, long afterSeq, int limit)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, """
            SELECT seq, message_id, text, sent_at_ms FROM social_messages
            WHERE peer = $fp AND outgoing = 1 AND state IN ('queued', 'sent') AND seq > $after
            ORDER BY seq LIMIT $limit;
            """);
        cmd.Parameters.AddWithValue("$fp", Key(peer));
        cmd.Parameters.AddWithValue("$after", afterSeq);
        cmd.Parameters.AddWithValue("$limit", limit);
        using var r = cmd.ExecuteReader();
        var list = new List<OutboxItem>();
        while (r.Read())
        {
            list.Add(new OutboxItem(r.GetInt64(0), (byte[])r[1], r.GetString(2), r.GetInt64(3)));
        }

        return list;
    }

    public void MarkSent(long seq)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, "UPDATE social_messages SET state = 'sent' WHERE seq = $seq AND state = 'queued';");
        cmd.Parameters.AddWithValue("$seq", seq);
        cmd.ExecuteNonQuery();
    }

    /// <summary>The receipt arrived; false when the message was delivered already (a repeated receipt).</summary>
    public bool MarkDelivered(Fingerprint peer, byte[] messageId, DateTimeOffset now)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, """
            UPDATE social_messages SET state = 'delivered', delivered_at_ms = $now
            WHERE peer = $fp AND outgoing = 1 AND message_id = $id AND state IN ('queued', 'sent');
            """);
        cmd.Parameters.AddWithValue("$fp", Key(peer));
        cmd.Parameters.AddWithValue("$id", messageId);
        cmd.Parameters.AddWithValue("$now", Ms(now));
        return cmd.ExecuteNonQuery() > 0;
    }

    /// <summary>Stores a friend's message; false when that (peer, message_id) is already here (a re-send).</summary>
    public bool InsertIncoming(Fingerprint peer, byte[] messageId, string text, long sentAtMs, DateTimeOffset now)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, """
            INSERT INTO social_messages (peer, message_id, outgoing, text, sent_at_ms, received_at_ms, state, read)
            VALUES ($fp, $id, 0, $text, $sent, $now, 'received', 0)
            ON CONFLICT DO NOTHING;
            """);
        cmd.Parameters.AddWithValue("$fp", Key(peer));
        cmd.Parameters.AddWithValue("$id", messageId);
        cmd.Parameters.AddWithValue("$text", text);
        cmd.Parameters.AddWithValue("$sent", sentAtMs);
        cmd.Parameters.AddWithValue("$now", Ms(now));
        return cmd.ExecuteNonQuery() > 0;
    }

    /// <summary>The last <paramref name="limit"/> messages with the peer, by send time then message id; marks them read.</summary>
    public IReadOnlyList<ChatEntry> Conversation(Fingerprint peer, int limit)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var tx = c.BeginTransaction();
        List<ChatEntry> list;
        using (var cmd = Command(c, $"""
            SELECT * FROM (SELECT {MessageColumns} FROM {MessageJoin} WHERE m.peer = $fp
              ORDER BY m.sent_at_ms DESC, m.message_id DESC LIMIT $limit)
            ORDER BY 6, 3;
            """, tx))
        {
            cmd.Parameters.AddWithValue("$fp", Key(peer));
            cmd.Parameters.AddWithValue("$limit", limit);
            list = ReadMessages(cmd);
        }

        using (var read = Command(c, "UPDATE social_messages SET read = 1 WHERE peer = $fp AND read = 0;", tx))
        {
            read.Parameters.AddWithValue("$fp", Key(peer));
            read.ExecuteNonQuery();
        }

        tx.Commit();
        return list;
    }

    /// <summary>Every unread message, by send time then message id; marks them read.</summary>
    public IReadOnlyList<ChatEntry> TakeUnread()
    {
        using var lease = Open();
        var c = lease.Connection;
        using var tx = c.BeginTransaction();
        List<ChatEntry> list;
        using (var cmd = Command(c, $"SELECT {MessageColumns} FROM {MessageJoin} WHERE m.read = 0 ORDER BY m.sent_at_ms, m.message_id;", tx))
        {
            list = ReadMessages(cmd);
        }

        using (var read = Command(c, "UPDATE social_messages SET read = 1 WHERE read = 0;", tx))
        {
            read.ExecuteNonQuery();
        }

        tx.Commit();
        return list;
    }

    /// <summary>
    /// Unread incoming messages per peer, without marking anything read: a view (the dashboard's badges) may show
    /// them while the prompt's <c>inbox</c> still hands them over.
    /// </summary>
    public IReadOnlyDictionary<Fingerprint, int> UnreadCounts()
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, "SELECT peer, count(*) FROM social_messages WHERE read = 0 AND outgoing = 0 GROUP BY peer;");
        using var r = cmd.ExecuteReader();
        var counts = new Dictionary<Fingerprint, int>();
        while (r.Read())
        {
            counts[Fingerprint.FromBytes((byte[])r[0])] = r.GetInt32(1);
        }

        return counts;
    }

    /// <summary>Counts of a peer's messages by state (tests, status).</summary>
    public int CountMessages(Fingerprint peer, bool outgoing, string? state = null)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, "SELECT count(*) FROM social_messages WHERE peer = $fp AND outgoing = $out AND ($state IS NULL OR state = $state);");
        cmd.Parameters.AddWithValue("$fp", Key(peer));
        cmd.Parameters.AddWithValue("$out", outgoing ? 1 : 0);
        cmd.Parameters.AddWithValue("$state", (object?)state ?? DBNull.Value);
        return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static List<ChatEntry> ReadMessages(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<ChatEntry>();
        while (r.Read())
        {
            list.Add(new ChatEntry(
                Fingerprint.FromBytes((byte[])r[0]),
                r.GetString(1),
                (byte[])r[2],
                r.GetInt64(3) != 0,
                r.GetString(4),
                Time(r.GetInt64(5)),
                r.IsDBNull(6) ? null : Time(r.GetInt64(6)),
                r.IsDBNull(7) ? null : Time(r.GetInt64(7)),
                r.GetString(8) switch
                {
                    "queued" => ChatState.Queued,
                    "sent" => ChatState.Sent,
                    "delivered" => ChatState.Delivered,
                    _ => ChatState.Received,
                },
                r.GetInt64(9) != 0));
        }

        return list;
    }
}
