using OpenRed.Core.Storage;

namespace OpenRed.Core.Peers;

/// <summary>The peer directory's tables. Beacon-only candidates are not stored: beacons are heard again after a restart.</summary>
public static class PeerDirectoryStore
{
    /// <summary>The schema step; independent of its place in the node's migration list.</summary>
    public const string Sql = """
        CREATE TABLE peer_candidates (
            host                 TEXT NOT NULL,
            port                 INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
            expected             BLOB CHECK (expected IS NULL OR length(expected) = 32),
            verified             INTEGER NOT NULL,
            sector               TEXT,
            node_id              TEXT,
            first_heard_ms       INTEGER NOT NULL,
            last_heard_ms        INTEGER NOT NULL,
            last_success_ms      INTEGER,
            last_failure_ms      INTEGER,
            last_failure_reason  TEXT,
            consecutive_failures INTEGER NOT NULL,
            PRIMARY KEY (host, port)
        ) STRICT;
        CREATE TABLE peer_candidate_sources (
            host          TEXT NOT NULL,
            port          INTEGER NOT NULL,
            source        TEXT NOT NULL,
            since_ms      INTEGER NOT NULL,
            last_heard_ms INTEGER NOT NULL,
            expires_ms    INTEGER,
            sender        BLOB CHECK (sender IS NULL OR length(sender) = 32),
            PRIMARY KEY (host, port, source),
            FOREIGN KEY (host, port) REFERENCES peer_candidates (host, port) ON DELETE CASCADE
        ) STRICT;
        """;

    /// <summary>The step as version 3, the next free one today; the node renumbers it when composing modules.</summary>
    public static Migration Migration { get; } = At(3);

    /// <summary>The step as <paramref name="version"/> of the node's schema.</summary>
    public static Migration At(int version) => new(version, "peer directory", Sql);
}
