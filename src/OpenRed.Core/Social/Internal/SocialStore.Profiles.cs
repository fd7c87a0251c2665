using Microsoft.Data.Sqlite;
using OpenRed.Core.Identity;

namespace OpenRed.Core.Social.Internal;

internal sealed partial class SocialStore
{
    private const string ProfileColumns = "display_name, bio, profession, thumbnail, thumbnail_type, thumbnail_width, thumbnail_height, photo_urn, updated_at_ms";

    public SocialProfile GetOwnProfile()
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, $"SELECT {ProfileColumns} FROM social_own_profile WHERE id = 1;");
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadProfile(r, 0) : SocialProfile.Empty;
    }

    public void SetOwnProfile(SocialProfile profile)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, $"""
            INSERT INTO social_own_profile (id, {ProfileColumns})
            VALUES (1, $name, $bio, $profession, $thumb, $type, $w, $h, $urn, $updated)
            ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, bio = excluded.bio,
              profession = excluded.profession, thumbnail = excluded.thumbnail, thumbnail_type = excluded.thumbnail_type,
              thumbnail_width = excluded.thumbnail_width, thumbnail_height = excluded.thumbnail_height,
              photo_urn = excluded.photo_urn, updated_at_ms = excluded.updated_at_ms;
            """);
        AddProfile(cmd, profile);
        cmd.ExecuteNonQuery();
    }

    public PeerProfile? GetPeerProfile(Fingerprint peer)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, $"SELECT {ProfileColumns}, node_id, fetched_at_ms FROM social_profiles WHERE fingerprint = $fp;");
        cmd.Parameters.AddWithValue("$fp", Key(peer));
        using var r = cmd.ExecuteReader();
        return r.Read() ? new PeerProfile(peer, r.GetString(9), ReadProfile(r, 0), Time(r.GetInt64(10)), false) : null;
    }

    public void PutPeerProfile(Fingerprint peer, string nodeId, SocialProfile profile, DateTimeOffset fetchedAt)
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, $"""
            INSERT INTO social_profiles (fingerprint, node_id, {ProfileColumns}, fetched_at_ms)
            VALUES ($fp, $node_id, $name, $bio, $profession, $thumb, $type, $w, $h, $urn, $updated, $fetched)
            ON CONFLICT (fingerprint) DO UPDATE SET node_id = excluded.node_id, display_name = excluded.display_name,
              bio = excluded.bio, profession = excluded.profession, thumbnail = excluded.thumbnail,
              thumbnail_type = excluded.thumbnail_type, thumbnail_width = excluded.thumbnail_width,
              thumbnail_height = excluded.thumbnail_height, photo_urn = excluded.photo_urn,
              updated_at_ms = excluded.updated_at_ms, fetched_at_ms = excluded.fetched_at_ms;
            """);
        cmd.Parameters.AddWithValue("$fp", Key(peer));
        cmd.Parameters.AddWithValue("$node_id", nodeId);
        cmd.Parameters.AddWithValue("$fetched", Ms(fetchedAt));
        AddProfile(cmd, profile);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Every peer with a kept profile (for naming peers).</summary>
    public IReadOnlyList<PeerRef> ProfilePeers()
    {
        using var lease = Open();
        var c = lease.Connection;
        using var cmd = Command(c, "SELECT fingerprint, node_id FROM social_profiles;");
        using var r = cmd.ExecuteReader();
        var list = new List<PeerRef>();
        while (r.Read())
        {
            list.Add(new PeerRef(Fingerprint.FromBytes((byte[])r[0]), r.GetString(1)));
        }

        return list;
    }

    private static SocialProfile ReadProfile(SqliteDataReader r, int at)
    {
        var thumbnail = r.IsDBNull(at + 3)
            ? null
            : new Thumbnail((byte[])r[at + 3], r.GetString(at + 4), r.GetInt32(at + 5), r.GetInt32(at + 6));
        return new SocialProfile(r.GetString(at), r.GetString(at + 1), r.GetString(at + 2), thumbnail, r.GetString(at + 7), Time(r.GetInt64(at + 8)));
    }

    private static void AddProfile(SqliteCommand cmd, SocialProfile p)
    {
        cmd.Parameters.AddWithValue("$name", p.DisplayName);
        cmd.Parameters.AddWithValue("$bio", p.Bio);
        cmd.Parameters.AddWithValue("$profession", p.Profession);
        cmd.Parameters.AddWithValue("$thumb", (object?)p.Thumbnail?.Bytes ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$type", p.Thumbnail?.MediaType ?? "");
        cmd.Parameters.AddWithValue("$w", p.Thumbnail?.Width ?? 0);
        cmd.Parameters.AddWithValue("$h", p.Thumbnail?.Height ?? 0);
        cmd.Parameters.AddWithValue("$urn", p.PhotoUrn);
        cmd.Parameters.AddWithValue("$updated", Ms(p.UpdatedAt));
    }
}
