using System.Collections.Immutable;
using Microsoft.Data.Sqlite;
using OpenRed.Core.Identity;
using OpenRed.Core.Storage;

namespace OpenRed.Core.Peers.Internal;

/// <summary>Reads and writes the peer directory's tables; all writes of one flush go in one transaction.</summary>
internal sealed class PeerTable
{
    private readonly NodeDatabase _db;

    public PeerTable(NodeDatabase db) => _db = db;

    /// <summary>Whether a candidate is worth a row: beacons are not, they come back on their own.</summary>
    public static bool IsStored(PeerCandidate? candidate) =>
        candidate is not null && candidate.Sources.Any(s => s.Source != PeerSource.Lighthouse);

    public List<PeerCandidate> Load()
    {
        using var connection = _db.OpenConnection();
        var sources = new Dictionary<(string, int), List<PeerSourceEntry>>();
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT host, port, source, since_ms, last_heard_ms, expires_ms, sender FROM peer_candidate_sources;";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                if (!Enum.TryParse<PeerSource>(r.GetString(2), out var source))
                {
                    continue;
                }

                var key = (r.GetString(0), r.GetInt32(1));
                if (!sources.TryGetValue(key, out var list))
                {
                    sources[key] = list = [];
                }

                list.Add(new PeerSourceEntry(
                    source, Time(r.GetInt64(3)), Time(r.GetInt64(4)), OptionalTime(r, 5), OptionalFingerprint(r, 6)));
            }
        }

        var candidates = new List<PeerCandidate>();
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = """
                SELECT host, port, expected, verified, sector, node_id, first_heard_ms, last_heard_ms,
                       last_success_ms, last_failure_ms, last_failure_reason, consecutive_failures
                FROM peer_candidates;
                """;
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var key = (r.GetString(0), r.GetInt32(1));
                candidates.Add(new PeerCandidate(
                    PeerAddress.Create(key.Item1, key.Item2),
                    OptionalFingerprint(r, 2),
                    r.GetInt64(3) != 0,
                    sources.TryGetValue(key, out var list) ? [.. list] : ImmutableArray<PeerSourceEntry>.Empty,
                    Time(r.GetInt64(6)),
                    Time(r.GetInt64(7)),
                    OptionalTime(r, 8),
                    OptionalTime(r, 9),
                    r.IsDBNull(10) || !Enum.TryParse<DialFailure>(r.GetString(10), out var reason) ? null : reason,
                    r.GetInt32(11),
                    r.IsDBNull(4) ? null : r.GetString(4),
                    r.IsDBNull(5) ? null : r.GetString(5)));
            }
        }

        return candidates;
    }

    /// <summary>Writes each candidate's current state: its row and sources when stored, nothing when not.</summary>
    public void Save(IReadOnlyCollection<(PeerAddress Address, PeerCandidate? Current)> changes)
    {
        using var connection = _db.OpenConnection();
        using var tx = connection.BeginTransaction();
        using var delete = Command(connection, tx, "DELETE FROM peer_candidates WHERE host = $host AND port = $port;");
        using var upsert = Command(connection, tx, """
            INSERT INTO peer_candidates (host, port, expected, verified, sector, node_id, first_heard_ms, last_heard_ms,
                                         last_success_ms, last_failure_ms, last_failure_reason, consecutive_failures)
            VALUES ($host, $port, $expected, $verified, $sector, $node_id, $first, $last, $success, $failure, $reason, $failures)
            ON CONFLICT (host, port) DO UPDATE SET
                expected = excluded.expected, verified = excluded.verified, sector = excluded.sector,
                node_id = excluded.node_id, first_heard_ms = excluded.first_heard_ms, last_heard_ms = excluded.last_heard_ms,
                last_success_ms = excluded.last_success_ms, last_failure_ms = excluded.last_failure_ms,
                last_failure_reason = excluded.last_failure_reason, consecutive_failures = excluded.consecutive_failures;
            """);
        using var clearSources = Command(connection, tx, "DELETE FROM peer_candidate_sources WHERE host = $host AND port = $port;");
        using var addSource = Command(connection, tx, """
            INSERT INTO peer_candidate_sources (host, port, source, since_ms, last_heard_ms, expires_ms, sender)
            VALUES ($host, $port, $source, $since, $last, $expires, $sender);
            """);
        foreach (var (address, current) in changes)
        {
            if (!IsStored(current))
            {
                Run(delete, ("$host", address.Host), ("$port", address.Port));
                continue;
            }

            var c = current!;
            Run(upsert,
                ("$host", address.Host), ("$port", address.Port), ("$expected", Blob(c.Expected)), ("$verified", c.Verified ? 1 : 0),
                ("$sector", c.Sector), ("$node_id", c.NodeId), ("$first", Ms(c.FirstHeard)), ("$last", Ms(c.LastHeard)),
                ("$success", Ms(c.LastSuccess)), ("$failure", Ms(c.LastFailure)), ("$reason", c.LastFailureReason?.ToString()),
                ("$failures", c.ConsecutiveFailures));
            Run(clearSources, ("$host", address.Host), ("$port", address.Port));
            foreach (var s in c.Sources.Where(s => s.Source != PeerSource.Lighthouse))
            {
                Run(addSource,
                    ("$host", address.Host), ("$port", address.Port), ("$source", s.Source.ToString()), ("$since", Ms(s.Since)),
                    ("$last", Ms(s.LastHeard)), ("$expires", Ms(s.ExpiresAt)), ("$sender", Blob(s.Sender)));
            }
        }

        tx.Commit();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    private static void Run(SqliteCommand cmd, params (string Name, object? Value)[] values)
    {
        cmd.Parameters.Clear();
        foreach (var (name, value) in values)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        cmd.ExecuteNonQuery();
    }

    private static object? Blob(Fingerprint? f) => f?.Bytes.ToArray();

    private static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    private static object? Ms(DateTimeOffset? t) => t?.ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? OptionalTime(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : Time(r.GetInt64(i));

    private static Fingerprint? OptionalFingerprint(SqliteDataReader r, int i) =>
        r.IsDBNull(i) ? null : Fingerprint.TryFromBytes((byte[])r[i], out var f) ? f : null;
}
