using OpenRed.Core.Storage;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>The Phoenix module's tables (its own migration steps, numbered from 1).</summary>
internal static class PhoenixSchema
{
    public static IReadOnlyList<Migration> Steps { get; } =
    [
        new(1, "phoenix store", """
            CREATE TABLE phoenix_records (
                root            BLOB PRIMARY KEY NOT NULL CHECK (length(root) = 32),
                name            TEXT NOT NULL,
                publisher       BLOB NOT NULL CHECK (length(publisher) = 32),
                version         INTEGER NOT NULL,
                size            INTEGER NOT NULL,
                record          BLOB NOT NULL,
                role            INTEGER NOT NULL,
                source_path     TEXT,
                source_changed  INTEGER NOT NULL DEFAULT 0,
                added_ms        INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX phoenix_records_name ON phoenix_records (name, publisher);
            CREATE TABLE phoenix_record_chunks (
                root  BLOB NOT NULL REFERENCES phoenix_records (root) ON DELETE CASCADE,
                idx   INTEGER NOT NULL,
                hash  BLOB NOT NULL,
                PRIMARY KEY (root, idx)
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX phoenix_record_chunks_hash ON phoenix_record_chunks (hash);
            CREATE TABLE phoenix_chunks (
                hash          BLOB PRIMARY KEY NOT NULL CHECK (length(hash) = 32),
                size          INTEGER NOT NULL,
                last_used_ms  INTEGER NOT NULL
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX phoenix_chunks_lru ON phoenix_chunks (last_used_ms);
            CREATE TABLE phoenix_versions (
                publisher  BLOB NOT NULL,
                name       TEXT NOT NULL,
                version    INTEGER NOT NULL,
                PRIMARY KEY (publisher, name)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE phoenix_resolved (
                name       TEXT PRIMARY KEY NOT NULL,
                publisher  BLOB NOT NULL
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE phoenix_holders (
                root         BLOB NOT NULL,
                fingerprint  BLOB NOT NULL CHECK (length(fingerprint) = 32),
                node_id      TEXT NOT NULL,
                host         TEXT NOT NULL,
                port         INTEGER NOT NULL,
                seen_ms      INTEGER NOT NULL,
                PRIMARY KEY (root, fingerprint)
            ) STRICT, WITHOUT ROWID;
            """),
    ];
}
