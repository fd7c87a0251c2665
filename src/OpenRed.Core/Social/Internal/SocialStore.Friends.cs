using Microsoft.Data.Sqlite;
using OpenRed.Core.Identity;

namespace OpenRed.Core.Social.Internal;

/// <summary>
/// The friend book's state machine (section 9), one transaction per transition. States per peer: none,
/// pending_out (this node asked), pending_in (the peer asked), friend, blocked. Responses this node owes a peer
/// live in their own table until the peer's Ack.
/// </summary>
internal sealed partial class SocialStore
{
    private const string PeerColumns = "fingerprint, node_id, state, request_id, message, acked, since_ms";

    public IReadOnlyList<FriendRow> AllPeers()
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, $"SELECT {PeerColumns} FROM social_peers ORDER BY state, since_ms;");
        return ReadPeers(cmd);
    }

    public FriendRow? GetPeer(Fingerprint peer)
    {
        using var lease = Open();
        var c = lease.Connection;
        return GetPeer(c, null, peer);
    }

    /// <summary>This node asks <paramref name="peer"/>; with a pending request from it, accepts that one instead.</summary>
    public (AddOutcome Outcome, FriendRow? Row) RequestOut(Fingerprint peer, string nodeId, string message, byte[] requestId, int maxPending, DateTimeOffset now)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var tx = c.BeginTransaction();
        var row = GetPeer(c, tx, peer);
        switch (row?.State)
        {
            case FriendState.Friend:
                return (AddOutcome.AlreadyFriends, row);
            case FriendState.Blocked:
                return (AddOutcome.Blocked, row);
            case FriendState.PendingOut:
                return (AddOutcome.AlreadyRequested, row);
            case FriendState.PendingIn:
                var accepted = BecomeFriends(c, tx, row, now, respondTo: row.RequestId);
                tx.Commit();
                return (AddOutcome.AcceptedTheirs, accepted);
        }

        if (CountState(c, tx, "pending_out") >= maxPending)
        {
            return (AddOutcome.TooMany, null);
        }

        var created = new FriendRow(peer, nodeId, FriendState.PendingOut, requestId, message, false, now);
        Upsert(c, tx, created);
        tx.Commit();
        return (AddOutcome.Requested, created);
    }

    /// <summary>A FriendRequest arrived from <paramref name="peer"/>; returns what it did and the peer dropped to make room, if any.</summary>
    public (IncomingRequestOutcome Outcome, Fingerprint? Dropped) RequestIn(
        Fingerprint peer, string nodeId, byte[] requestId, string message, int maxPending, DateTimeOffset now)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var tx = c.BeginTransaction();
        var row = GetPeer(c, tx, peer);
        switch (row?.State)
        {
            case FriendState.Blocked:
                return (IncomingRequestOutcome.Blocked, null);
            case FriendState.PendingIn when row.RequestId is { } id && id.AsSpan().SequenceEqual(requestId):
                return (IncomingRequestOutcome.Duplicate, null);
            case FriendState.Friend:
                // The peer lost the friendship (it removed this node, or its data): accept again at once.
                QueueResponse(c, tx, peer, requestId, accepted: true, now);
                tx.Commit();
                return (IncomingRequestOutcome.Friends, null);
            case FriendState.PendingOut:
                // Both asked: that is consent on both sides.
                BecomeFriends(c, tx, row with { NodeId = nodeId }, now, respondTo: requestId);
                tx.Commit();
                return (IncomingRequestOutcome.Friends, null);
        }

        Fingerprint? dropped = null;
        if (row is null && CountState(c, tx, "pending_in") >= maxPending)
        {
            using var oldest = Command(c, "SELECT fingerprint FROM social_peers WHERE state = 'pending_in' ORDER BY since_ms, rowid LIMIT 1;", tx);
            if (oldest.ExecuteScalar() is byte[] bytes)
            {
                dropped = Fingerprint.FromBytes(bytes);
                Delete(c, tx, dropped);
            }
        }

        // At most one pending request per peer: a newer one replaces the earlier.
        Upsert(c, tx, new FriendRow(peer, nodeId, FriendState.PendingIn, requestId, message, true, now));
        tx.Commit();
        return (IncomingRequestOutcome.Stored, dropped);
    }

    /// <summary>The peer acknowledged this node's request: it is stored there.</summary>
    public void MarkRequestAcked(Fingerprint peer, byte[] requestId)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, "UPDATE social_peers SET acked = 1 WHERE fingerprint = $fp AND state = 'pending_out' AND request_id = $id;");
        cmd.Parameters.AddWithValue("$fp", Key(peer));
        cmd.Parameters.AddWithValue("$id", requestId);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Accepts the peer's pending request; null when there is none.</summary>
    public FriendRow? Accept(Fingerprint peer, DateTimeOffset now)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var tx = c.BeginTransaction();
        var row = GetPeer(c, tx, peer);
        if (row is not { State: FriendState.PendingIn })
        {
            return null;
        }

        var friend = BecomeFriends(c, tx, row, now, respondTo: row.RequestId);
        tx.Commit();
        return friend;
    }

    /// <summary>Declines the peer's pending request; false when there is none.</summary>
    public bool Decline(Fingerprint peer, DateTimeOffset now)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var tx = c.BeginTransaction();
        var row = GetPeer(c, tx, peer);
        if (row is not { State: FriendState.PendingIn, RequestId: { } id })
        {
            return false;
        }

        Delete(c, tx, peer);
        QueueResponse(c, tx, peer, id, accepted: false, now);
        tx.Commit();
        return true;
    }

    /// <summary>Ends a friendship or withdraws this node's pending request; false when neither.</summary>
    public bool Remove(Fingerprint peer)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, "DELETE FROM social_peers WHERE fingerprint = $fp AND state IN ('friend', 'pending_out');");
        cmd.Parameters.AddWithValue("$fp", Key(peer));
        return cmd.ExecuteNonQuery() > 0;
    }

    public void Block(Fingerprint peer, string nodeId, DateTimeOffset now)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var tx = c.BeginTransaction();
        using (var responses = Command(c, "DELETE FROM social_responses WHERE fingerprint = $fp;", tx))
        {
            responses.Parameters.AddWithValue("$fp", Key(peer));
            responses.ExecuteNonQuery();
        }

        Upsert(c, tx, new FriendRow(peer, nodeId, FriendState.Blocked, null, "", true, now));
        tx.Commit();
    }

    public bool Unblock(Fingerprint peer)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, "DELETE FROM social_peers WHERE fingerprint = $fp AND state = 'blocked';");
        cmd.Parameters.AddWithValue("$fp", Key(peer));
        return cmd.ExecuteNonQuery() > 0;
    }

    /// <summary>A FriendResponse arrived: accepted only for this node's pending request to that peer with that id.</summary>
    public IncomingResponseOutcome ResponseIn(Fingerprint peer, byte[] requestId, bool accepted, DateTimeOffset now)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var tx = c.BeginTransaction();
        var row = GetPeer(c, tx, peer);
        if (row is not { State: FriendState.PendingOut, RequestId: { } id } || !id.AsSpan().SequenceEqual(requestId))
        {
            return IncomingResponseOutcome.NotPending;
        }

        if (accepted)
        {
            BecomeFriends(c, tx, row, now, respondTo: null);
        }
        else
        {
            Delete(c, tx, peer);
        }

        tx.Commit();
        return accepted ? IncomingResponseOutcome.Accepted : IncomingResponseOutcome.Declined;
    }

    /// <summary>The responses this node owes <paramref name="peer"/>, oldest first.</summary>
    public IReadOnlyList<(byte[] RequestId, bool Accepted)> ResponsesFor(Fingerprint peer)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, "SELECT request_id, accepted FROM social_responses WHERE fingerprint = $fp ORDER BY created_at_ms;");
        cmd.Parameters.AddWithValue("$fp", Key(peer));
        using var r = cmd.ExecuteReader();
        var list = new List<(byte[], bool)>();
        while (r.Read())
        {
            list.Add(((byte[])r[0], r.GetInt64(1) != 0));
        }

        return list;
    }

    public void ResponseDone(Fingerprint peer, byte[] requestId)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, "DELETE FROM social_responses WHERE fingerprint = $fp AND request_id = $id;");
        cmd.Parameters.AddWithValue("$fp", Key(peer));
        cmd.Parameters.AddWithValue("$id", requestId);
        cmd.ExecuteNonQuery();
    }

    private FriendRow BecomeFriends(SqliteConnection c, SqliteTransaction tx, FriendRow row, DateTimeOffset now, byte[]? respondTo)
    {
        var friend = row with { State = FriendState.Friend, RequestId = null, Acked = true, Since = now };
        Upsert(c, tx, friend);
        if (respondTo is not null)
        {
            QueueResponse(c, tx, row.Fingerprint, respondTo, accepted: true, now);
        }

        return friend;
    }

    private static void QueueResponse(SqliteConnection c, SqliteTransaction tx, Fingerprint peer, byte[] requestId, bool accepted, DateTimeOffset now)
    {
        using var cmd = Command(c, """
            INSERT INTO social_responses (fingerprint, request_id, accepted, created_at_ms) VALUES ($fp, $id, $accepted, $now)
            ON CONFLICT DO UPDATE SET accepted = excluded.accepted;
            """, tx);
        cmd.Parameters.AddWithValue("$fp", Key(peer));
        cmd.Parameters.AddWithValue("$id", requestId);
        cmd.Parameters.AddWithValue("$accepted", accepted ? 1 : 0);
        cmd.Parameters.AddWithValue("$now", Ms(now));
        cmd.ExecuteNonQuery();
    }

    private static void Upsert(SqliteConnection c, SqliteTransaction tx, FriendRow row)
    {
        using var cmd = Command(c, $"""
            INSERT INTO social_peers ({PeerColumns}) VALUES ($fp, $node_id, $state, $id, $message, $acked, $since)
            ON CONFLICT (fingerprint) DO UPDATE SET node_id = excluded.node_id, state = excluded.state,
              request_id = excluded.request_id, message = excluded.message, acked = excluded.acked, since_ms = excluded.since_ms;
            """, tx);
        cmd.Parameters.AddWithValue("$fp", Key(row.Fingerprint));
        cmd.Parameters.AddWithValue("$node_id", row.NodeId);
        cmd.Parameters.AddWithValue("$state", StateName(row.State));
        cmd.Parameters.AddWithValue("$id", (object?)row.RequestId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$message", row.Message);
        cmd.Parameters.AddWithValue("$acked", row.Acked ? 1 : 0);
        cmd.Parameters.AddWithValue("$since", Ms(row.Since));
        cmd.ExecuteNonQuery();
    }

    private static void Delete(SqliteConnection c, SqliteTransaction tx, Fingerprint peer)
    {
        using var cmd = Command(c, "DELETE FROM social_peers WHERE fingerprint = $fp;", tx);
        cmd.Parameters.AddWithValue("$fp", Key(peer));
        cmd.ExecuteNonQuery();
    }

    private static int CountState(SqliteConnection c, SqliteTransaction tx, string state)
    {
        using var cmd = Command(c, "SELECT count(*) FROM social_peers WHERE state = $state;", tx);
        cmd.Parameters.AddWithValue("$state", state);
        return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static FriendRow? GetPeer(SqliteConnection c, SqliteTransaction? tx, Fingerprint peer)
    {
        using var cmd = Command(c, $"SELECT {PeerColumns} FROM social_peers WHERE fingerprint = $fp;", tx);
        cmd.Parameters.AddWithValue("$fp", Key(peer));
        return ReadPeers(cmd).FirstOrDefault();
    }

    private static List<FriendRow> ReadPeers(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<FriendRow>();
        while (r.Read())
        {
            list.Add(new FriendRow(
                Fingerprint.FromBytes((byte[])r[0]),
                r.GetString(1),
                ParseState(r.GetString(2)),
                r.IsDBNull(3) ? null : (byte[])r[3],
                r.GetString(4),
                r.GetInt64(5) != 0,
                Time(r.GetInt64(6))));
        }

        return list;
    }

    private static string StateName(FriendState state) => state switch
    {
        FriendState.Friend => "friend",
        FriendState.PendingIn => "pending_in",
        FriendState.PendingOut => "pending_out",
        _ => "blocked",
    };

    private static FriendState ParseState(string name) => name switch
    {
        "friend" => FriendState.Friend,
        "pending_in" => FriendState.PendingIn,
        "pending_out" => FriendState.PendingOut,
        _ => FriendState.Blocked,
    };
}
