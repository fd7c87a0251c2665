using System.Text.Json;

namespace OpenRed.IntegrationTests.Lab.Scenarios;

/// <summary><c>map --json</c>: the node itself, the peers its lighthouse knows, its live sessions.</summary>
internal sealed record MapView(string SelfNodeId, string SelfFingerprint, IReadOnlyList<MapPeer> Peers, IReadOnlyList<string> SessionNodeIds)
{
    public MapPeer? Find(string nodeId) => Peers.SingleOrDefault(p => p.NodeId == nodeId);

    public bool Lists(string nodeId) => Peers.Any(p => p.NodeId == nodeId);

    public static MapView Parse(JsonElement json)
    {
        var self = json.GetProperty("self");
        return new MapView(
            self.GetProperty("node_id").GetString()!,
            self.GetProperty("fingerprint").GetString()!,
            [.. json.GetProperty("peers").EnumerateArray().Select(MapPeer.Parse)],
            [.. json.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("node_id").GetString()!)]);
    }

    public override string ToString() =>
        $"map of {SelfNodeId}: [{string.Join(", ", Peers)}]; sessions: [{string.Join(", ", SessionNodeIds)}]";
}

/// <summary>One entry of <c>map --json</c>'s peers.</summary>
internal sealed record MapPeer(
    string NodeId,
    string Fingerprint,
    string Sector,
    string Address,
    int TcpPort,
    string State,
    bool SameSector,
    long LastHeardMs,
    long LastHeardAgoMs)
{
    public static MapPeer Parse(JsonElement json) => new(
        json.GetProperty("node_id").GetString()!,
        json.GetProperty("fingerprint").GetString()!,
        json.GetProperty("sector").GetString()!,
        json.GetProperty("address").GetString()!,
        json.GetProperty("tcp_port").GetInt32(),
        json.GetProperty("state").GetString()!,
        json.GetProperty("same_sector").GetBoolean(),
        json.GetProperty("last_heard_ms").GetInt64(),
        json.GetProperty("last_heard_ago_ms").GetInt64());

    public override string ToString() =>
        $"{NodeId}@{Address}:{TcpPort} {Sector} {State}{(SameSector ? " same" : "")} {LastHeardAgoMs}ms";
}
