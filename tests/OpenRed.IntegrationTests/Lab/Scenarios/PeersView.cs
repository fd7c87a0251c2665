using System.Text.Json;

namespace OpenRed.IntegrationTests.Lab.Scenarios;

/// <summary><c>peers --json</c>: the live sessions.</summary>
internal sealed record PeersView(IReadOnlyList<PeerSessionView> Sessions)
{
    public IReadOnlyList<string> NodeIds => [.. Sessions.Select(s => s.NodeId)];

    public static PeersView Parse(JsonElement json) =>
        new([.. json.GetProperty("sessions").EnumerateArray().Select(PeerSessionView.Parse)]);

    public override string ToString() => $"[{string.Join(", ", Sessions)}]";
}

/// <summary>One session of <c>peers --json</c>.</summary>
internal sealed record PeerSessionView(string NodeId, string Fingerprint, string Address, int TcpPort, string Direction)
{
    public static PeerSessionView Parse(JsonElement json) => new(
        json.GetProperty("node_id").GetString()!,
        json.GetProperty("fingerprint").GetString()!,
        json.GetProperty("address").GetString()!,
        json.GetProperty("tcp_port").GetInt32(),
        json.GetProperty("direction").GetString()!);

    public override string ToString() => $"{NodeId}@{Address}:{TcpPort} {Direction}";
}
