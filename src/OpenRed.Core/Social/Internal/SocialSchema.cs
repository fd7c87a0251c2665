using OpenRed.Core.Storage;

namespace OpenRed.Core.Social.Internal;

/// <summary>The social module's tables (its own numbering in module_schema).</summary>
internal static class SocialSchema
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "profiles, friend book, chat", """
            CREATE TABLE social_own_profile (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                display_name TEXT NOT NULL, bio TEXT NOT NULL, profession TEXT NOT NULL,
                thumbnail BLOB, thumbnail_type TEXT NOT NULL, thumbnail_width INTEGER NOT NULL, thumbnail_height INTEGER NOT NULL,
                photo_urn TEXT NOT NULL, updated_at_ms INTEGER NOT NULL) STRICT;
            CREATE TABLE social_profiles (
                fingerprint BLOB PRIMARY KEY, node_id TEXT NOT NULL,
                display_name TEXT NOT NULL, bio TEXT NOT NULL, profession TEXT NOT NULL,
                thumbnail BLOB, thumbnail_type TEXT NOT NULL, thumbnail_width INTEGER NOT NULL, thumbnail_height INTEGER NOT NULL,
                photo_urn TEXT NOT NULL, updated_at_ms INTEGER NOT NULL, fetched_at_ms INTEGER NOT NULL) STRICT;
            CREATE TABLE social_peers (
                fingerprint BLOB PRIMARY KEY, node_id TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('friend', 'pending_in', 'pending_out', 'blocked')),
                request_id BLOB, message TEXT NOT NULL, acked INTEGER NOT NULL, since_ms INTEGER NOT NULL) STRICT;
            CREATE INDEX social_peers_state ON social_peers (state, since_ms);
            CREATE TABLE social_responses (
                fingerprint BLOB NOT NULL, request_id BLOB NOT NULL, accepted INTEGER NOT NULL, created_at_ms INTEGER NOT NULL,
                PRIMARY KEY (fingerprint, request_id)) STRICT;
            CREATE TABLE social_messages (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                peer BLOB NOT NULL, message_id BLOB NOT NULL, outgoing INTEGER NOT NULL, text TEXT NOT NULL,
                sent_at_ms INTEGER NOT NULL, received_at_ms INTEGER, delivered_at_ms INTEGER,
                state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'delivered', 'received')),
                read INTEGER NOT NULL,
                UNIQUE (peer, outgoing, message_id)) STRICT;
            CREATE INDEX social_messages_order ON social_messages (peer, sent_at_ms, message_id);
            CREATE INDEX social_messages_outbox ON social_messages (peer, state) WHERE state IN ('queued', 'sent');
            CREATE INDEX social_messages_unread ON social_messages (read) WHERE read = 0;
            """),
    ];
}
