using Microsoft.Data.Sqlite;
using OpenRed.Core.Identity;
using OpenRed.Core.Storage;

namespace OpenRed.Core.Peers.Internal;

/// <summary>
/// The peers that left deliberately (a person's disconnect on either side, a protocol violation), kept across a
/// restart so that the restart's redial of links does not undo a disconnect. Written only when a mark changes,
/// which is rare.
/// </summary>
internal sealed class QuietTable
{
    public const string Sql = """
        CREATE TABLE peer_quiet (
            fingerprint BLOB PRIMARY KEY NOT NULL CHECK (length(fingerprint) = 32),
            since_ms    INTEGER NOT NULL
        ) STRICT;
        """;

    private readonly NodeDatabase _db;

    public QuietTable(NodeDatabase db) => _db = db;

    public List<Fingerprint> Load()
    {
        using var connection = _db.OpenConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT fingerprint FROM peer_quiet;";
        using var r = cmd.ExecuteReader();
        var list = new List<Fingerprint>();
        while (r.Read())
        {
            if (Fingerprint.TryFromBytes((byte[])r[0], out var f))
            {
                list.Add(f!);
            }
        }

        return list;
    }

    /// <summary>Writes every mark in one transaction (the module coalesces them: only the last state of a peer counts).</summary>
    /// <exception cref="SqliteException">The write failed.</exception>
    public void SetAll(IReadOnlyCollection<KeyValuePair<Fingerprint, bool>> marks, DateTimeOffset now)
    {
        using var connection = _db.OpenConnection();
        using var tx = connection.BeginTransaction();
        foreach (var (peer, quiet) in marks)
        {
            using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = quiet
                ? "INSERT INTO peer_quiet (fingerprint, since_ms) VALUES ($f, $t) ON CONFLICT (fingerprint) DO NOTHING;"
                : "DELETE FROM peer_quiet WHERE fingerprint = $f;";
            cmd.Parameters.AddWithValue("$f", peer.Bytes.ToArray());
            cmd.Parameters.AddWithValue("$t", now.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
    }

    /// <exception cref="SqliteException">The write failed.</exception>
    public void Set(Fingerprint peer, bool quiet, DateTimeOffset now)
    {
        using var connection = _db.OpenConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = quiet
            ? "INSERT INTO peer_quiet (fingerprint, since_ms) VALUES ($f, $t) ON CONFLICT (fingerprint) DO NOTHING;"
            : "DELETE FROM peer_quiet WHERE fingerprint = $f;";
        cmd.Parameters.AddWithValue("$f", peer.Bytes.ToArray());
        cmd.Parameters.AddWithValue("$t", now.ToUnixTimeMilliseconds());
        cmd.ExecuteNonQuery();
    }
}
