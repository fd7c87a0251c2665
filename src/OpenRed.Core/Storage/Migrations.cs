namespace OpenRed.Core.Storage;

/// <summary>
/// The core's schema, in order. Never edit a released step. A module keeps its own steps (see
/// <c>Modules.ModuleSchema</c>); only what the node itself owns is appended here.
/// </summary>
public static class Migrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "meta", """
            CREATE TABLE meta (
                key   TEXT PRIMARY KEY NOT NULL,
                value TEXT NOT NULL
            ) STRICT;
            """),
        new(2, "links", """
            CREATE TABLE links (
                fingerprint   BLOB PRIMARY KEY NOT NULL CHECK (length(fingerprint) = 32),
                public_key    BLOB NOT NULL,
                node_id       TEXT NOT NULL,
                address       TEXT NOT NULL,
                port          INTEGER NOT NULL,
                first_seen_ms INTEGER NOT NULL,
                last_seen_ms  INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX links_last_seen ON links (last_seen_ms);
            """),
        new(3, "module_schema", """
            CREATE TABLE module_schema (
                module  TEXT PRIMARY KEY NOT NULL,
                version INTEGER NOT NULL
            ) STRICT;
            """),
        new(4, "pins", """
            CREATE TABLE pins (
                node_id      TEXT PRIMARY KEY NOT NULL,
                fingerprint  BLOB NOT NULL CHECK (length(fingerprint) = 32),
                pinned_at_ms INTEGER NOT NULL
            ) STRICT;
            INSERT INTO pins (node_id, fingerprint, pinned_at_ms)
                SELECT node_id, fingerprint, min(first_seen_ms) FROM links GROUP BY node_id;
            """),
    ];

    public static int Latest => All[^1].Version;
}
