using Microsoft.Data.Sqlite;
using OpenRed.Core.Identity;
using OpenRed.Core.Security;
using OpenRed.Core.Storage;

namespace OpenRed.Core.Mesh;

/// <summary>The links table: every verified peer, keyed by fingerprint, kept across restarts.</summary>
internal sealed class LinkStore
{
    private readonly NodeDatabase _db;

    public LinkStore(NodeDatabase db) => _db = db;

    internal const string UpsertSql = """
        INSERT INTO links (fingerprint, public_key, node_id, address, port, first_seen_ms, last_seen_ms)
        VALUES ($fp, $key, $node_id, $address, $port, $now, $now)
        ON CONFLICT (fingerprint) DO UPDATE SET
            node_id = excluded.node_id,
            address = excluded.address,
            port = CASE WHEN excluded.port > 0 THEN excluded.port ELSE links.port END,
            last_seen_ms = excluded.last_seen_ms;
        """;

    internal const string TouchSql = "UPDATE links SET last_seen_ms = $now WHERE fingerprint = $fp;";

    /// <summary>A connection of its own for the background link writer (same writes as <see cref="Record"/> and <see cref="Touch"/>).</summary>
    internal Internal.LinkWriter OpenWriter() => new(_db);

    /// <summary>
    /// Records a verified peer. The first fingerprint seen with a node-id is pinned to it, as SSH's known_hosts
    /// pins a host key: a later fingerprint with that node-id is linked too (only the fingerprint identifies a
    /// node) but never replaces the pin. Returns the pinned fingerprint when it is another one: a possible
    /// impersonation, shown to the user until they pin the new one deliberately (<see cref="Pin"/>).
    /// </summary>
    public IReadOnlyList<Fingerprint> Record(PeerIdentity peer, string address, int port, DateTimeOffset now)
    {
        using var connection = _db.OpenConnection();
        using var tx = connection.BeginTransaction();
        Fingerprint? pinned = null;
        using (var find = connection.CreateCommand())
        {
            find.Transaction = tx;
            find.CommandText = "SELECT fingerprint FROM pins WHERE node_id = $node_id;";
            find.Parameters.AddWithValue("$node_id", peer.NodeId);
            if (find.ExecuteScalar() is byte[] bytes)
            {
                pinned = Fingerprint.FromBytes(bytes);
            }
        }

        if (pinned is null)
        {
            using var pin = connection.CreateCommand();
            pin.Transaction = tx;
            pin.CommandText = "INSERT INTO pins (node_id, fingerprint, pinned_at_ms) VALUES ($node_id, $fp, $now);";
            pin.Parameters.AddWithValue("$node_id", peer.NodeId);
            pin.Parameters.AddWithValue("$fp", peer.Fingerprint.Bytes.ToArray());
            pin.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            pin.ExecuteNonQuery();
        }

        using (var upsert = connection.CreateCommand())
        {
            upsert.Transaction = tx;
            upsert.CommandText = UpsertSql;
            upsert.Parameters.AddWithValue("$fp", peer.Fingerprint.Bytes.ToArray());
            upsert.Parameters.AddWithValue("$key", peer.PublicKey);
            upsert.Parameters.AddWithValue("$node_id", peer.NodeId);
            upsert.Parameters.AddWithValue("$address", address);
            upsert.Parameters.AddWithValue("$port", port);
            upsert.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            upsert.ExecuteNonQuery();
        }

        tx.Commit();
        return pinned is not null && pinned != peer.Fingerprint ? [pinned] : [];
    }

    /// <summary>Makes a linked fingerprint the one pinned to its node-id (the user accepts a new key). False when not linked.</summary>
    public bool Pin(Fingerprint fingerprint, DateTimeOffset now)
    {
        using var connection = _db.OpenConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            INSERT INTO pins (node_id, fingerprint, pinned_at_ms)
                SELECT node_id, fingerprint, $now FROM links WHERE fingerprint = $fp
            ON CONFLICT (node_id) DO UPDATE SET fingerprint = excluded.fingerprint, pinned_at_ms = excluded.pinned_at_ms;
            """;
        cmd.Parameters.AddWithValue("$fp", fingerprint.Bytes.ToArray());
        cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        return cmd.ExecuteNonQuery() > 0;
    }

    public void Touch(Fingerprint fingerprint, DateTimeOffset now)
    {
        using var connection = _db.OpenConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = TouchSql;
        cmd.Parameters.AddWithValue("$fp", fingerprint.Bytes.ToArray());
        cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        cmd.ExecuteNonQuery();
    }

    public int Count()
    {
        using var connection = _db.OpenConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM links;";
        return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public IReadOnlyList<Link> All()
    {
        using var connection = _db.OpenConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT l.fingerprint, l.public_key, l.node_id, l.address, l.port, l.first_seen_ms, l.last_seen_ms,
                   p.fingerprint IS NOT NULL AND p.fingerprint = l.fingerprint
            FROM links l LEFT JOIN pins p ON p.node_id = l.node_id
            ORDER BY l.node_id, l.fingerprint;
            """;
        return Read(cmd);
    }

    private static List<Link> Read(SqliteCommand cmd)
    {
        var links = new List<Link>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            links.Add(new Link(
                Fingerprint.FromBytes((byte[])reader[0]),
                (byte[])reader[1],
                reader.GetString(2),
                reader.GetString(3),
                reader.GetInt32(4),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                reader.GetBoolean(7)));
        }

        return links;
    }
}
