using System.Text.Json;

namespace OpenRed.IntegrationTests.Lab.Scenarios;

/// <summary>The fields of <c>status --json</c> the scenarios read.</summary>
internal sealed record StatusView(
    string NodeId,
    string Fingerprint,
    string Sector,
    int TcpPort,
    long StartedAtMs,
    long UptimeMs,
    int Sessions,
    int Peers,
    int Links)
{
    public static StatusView Parse(JsonElement json) => new(
        json.GetProperty("node_id").GetString()!,
        json.GetProperty("fingerprint").GetString()!,
        json.GetProperty("sector").GetString()!,
        json.GetProperty("tcp_port").GetInt32(),
        json.GetProperty("started_at_ms").GetInt64(),
        json.GetProperty("uptime_ms").GetInt64(),
        json.GetProperty("sessions").GetInt32(),
        json.GetProperty("peers").GetInt32(),
        json.GetProperty("links").GetInt32());
}
