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

    /// <summary>
    /// Records a verified peer. Returns the fingerprints of other links that carried the same node-id: a node-id
    /// arriving with another fingerprint is a possible impersonation, shown to the user and never merged.
    /// </summary>
    public IReadOnlyList<Fingerprint> Record(PeerIdentity peer, string address, int port, DateTimeOffset now)
    {
        using var connection = _db.OpenConnection();
        using var tx = connection.BeginTransaction();
        var others = new List<Fingerprint>();
        using (var find = connection.CreateCommand())
        {
            find.Transaction = tx;
            find.CommandText = "SELECT fingerprint FROM links WHERE node_id = $node_id AND fingerprint <> $fp;";
            find.Parameters.AddWithValue("$node_id", peer.NodeId);
            find.Parameters.AddWithValue("$fp", peer.Fingerprint.Bytes.ToArray());
            using var reader = find.ExecuteReader();
            while (reader.Read())
            {
                others.Add(Fingerprint.FromBytes((byte[])reader[0]));
            }
        }

        using (var upsert = connection.CreateCommand())
        {
            upsert.Transaction = tx;
            upsert.CommandText = """
                INSERT INTO links (fingerprint, public_key, node_id, address, port, first_seen_ms, last_seen_ms)
                VALUES ($fp, $key, $node_id, $address, $port, $now, $now)
                ON CONFLICT (fingerprint) DO UPDATE SET
                    node_id = excluded.node_id,
                    address = excluded.address,
                    port = CASE WHEN excluded.port > 0 THEN excluded.port ELSE links.port END,
                    last_seen_ms = excluded.last_seen_ms;
                """;
            upsert.Parameters.AddWithValue("$fp", peer.Fingerprint.Bytes.ToArray());
            upsert.Parameters.AddWithValue("$key", peer.PublicKey);
            upsert.Parameters.AddWithValue("$node_id", peer.NodeId);
            upsert.Parameters.AddWithValue("$address", address);
            upsert.Parameters.AddWithValue("$port", port);
            upsert.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            upsert.ExecuteNonQuery();
        }

        tx.Commit();
        return others;
    }

    public void Touch(Fingerprint fingerprint, DateTimeOffset now)
    {
        using var connection = _db.OpenConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "UPDATE links SET last_seen_ms = $now WHERE fingerprint = $fp;";
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
        cmd.CommandText = "SELECT fingerprint, public_key, node_id, address, port, first_seen_ms, last_seen_ms FROM links ORDER BY node_id, fingerprint;";
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
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
        }

        return links;
    }
}
