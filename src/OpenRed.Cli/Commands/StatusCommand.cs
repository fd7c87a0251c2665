using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OpenRed.Cli.Rendering;
using OpenRed.Core;
using OpenRed.Core.Lighthouse;

namespace OpenRed.Cli.Commands;

internal sealed class StatusCommand : IReplCommand
{
    private readonly Option<bool> _json = CommonOptions.Json();

    public string Name => "status";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "Show this node: identity, port, uptime, sessions, peers, links, lighthouse and handshake counters";

    public Command BuildSyntax() => new(Name, Description) { _json };

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var s = context.Node.GetStatus();
        if (context.Json)
        {
            context.WriteJson(StatusJson.From(s) with { Dashboard = Web.WebServer.AddressOf(context.Node)?.BaseUrl });
            return Task.FromResult(0);
        }

        var grid = new LabelledValues();
        void Row(string key, string value) => grid.Add(key, value);
        Row("node-id", s.NodeId);
        Row("fingerprint", s.Fingerprint.Short);
        Row("sector", s.Sector);
        Row("tcp port", s.Port.ToString(CultureInfo.InvariantCulture) + (s.ListenAddress == "*" ? "" : $" on {s.ListenAddress}"));
        Row("data dir", s.DataDirectory);
        if (Web.WebServer.AddressOf(context.Node) is { } dashboard)
        {
            Row("dashboard", dashboard.BaseUrl);
        }

        Row("uptime", FormatUptime(s.Uptime));
        Row("sessions", Count(s.Sessions));
        Row("peers", Count(s.Peers));
        Row("links", Count(s.Links));
        Row("handshakes", string.Create(CultureInfo.InvariantCulture, $"{s.HandshakesCompleted} completed, {s.HandshakesFailed} failed"));
        Row("refused", DescribeRefused(s));
        if (s.Lighthouse is { } l)
        {
            Row("lighthouse", DescribeLighthouse(l));
            if (l.State is LighthouseState.Running or LighthouseState.Stopped)
            {
                Row("beacons", string.Create(CultureInfo.InvariantCulture, $"{l.BeaconsSent} sent, {l.BeaconsReceived} received"));
                Row("dropped", DescribeDropped(l));
            }
        }

        foreach (var section in s.Sections)
        {
            foreach (var line in section.Lines)
            {
                Row(line.Label, line.Value);
            }
        }

        context.WriteRaw(grid.Render(context.Out));
        return Task.FromResult(0);
    }

    internal static string DescribeRefused(NodeStatus s)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{s.ConnectionsRefused} connections (rate or handshake limits)");
        if (s.ConnectionsRefusedBy.Count > 0)
        {
            text = string.Create(CultureInfo.InvariantCulture, $"{s.ConnectionsRefused} connections before the handshake (")
                + string.Join(", ", s.ConnectionsRefusedBy.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key}: {r.Value}"))) + ")";
        }

        if (s.ProtocolViolations > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"; {s.ProtocolViolations} sessions closed for protocol violations");
        }

        if (s.SessionsRefused > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"; {s.SessionsRefused} sessions after it (")
                + string.Join(", ", s.SessionsRefusedBy.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key}: {r.Value}"))) + ")";
        }

        return text;
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    internal static string DescribeLighthouse(LighthouseStatus l)
    {
        var where = $"group {PeerText.Endpoint(l.Group, l.Port)}" + (l.Interface, l.InterfaceName) switch
        {
            (null, null) => "",
            (null, { } name) => $" on {name}",
            ({ } ip, null) => $" on {ip}",
            ({ } ip, { } name) => $" on {ip} ({name})",
        };
        return l.State switch
        {
            LighthouseState.Disabled => "off (--no-lighthouse)",
            LighthouseState.Running => $"running, {where}" + (l.Message is null ? "" : $"; {l.Message}"),
            LighthouseState.Failed => $"failed, no discovery: {l.Message}",
            _ => "stopped",
        };
    }

    internal static string DescribeDropped(LighthouseStatus l)
    {
        var total = l.DroppedTotal.ToString(CultureInfo.InvariantCulture);
        if (l.DroppedTotal == 0)
        {
            return total;
        }

        var reasons = l.Dropped.Where(d => d.Value > 0).OrderBy(d => d.Key)
            .Select(d => string.Create(CultureInfo.InvariantCulture, $"{SnakeCase(d.Key)} {d.Value}"));
        return $"{total} ({string.Join(", ", reasons)})";
    }

    internal static string SnakeCase(BeaconRejection reason) => JsonNamingPolicy.SnakeCaseLower.ConvertName(reason.ToString());

    internal static string FormatUptime(TimeSpan t) => t.TotalDays >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalDays}d {t.Hours:00}:{t.Minutes:00}:{t.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{t.Hours:00}:{t.Minutes:00}:{t.Seconds:00}");

    /// <summary>The stable JSON shape of <c>status --json</c> (see the JSON contract).</summary>
    internal sealed record StatusJson(
        string NodeId,
        string Fingerprint,
        string Sector,
        int TcpPort,
        string ListenAddress,
        string DataDir,
        long StartedAtMs,
        long UptimeMs,
        int Sessions,
        int Peers,
        int Links,
        long HandshakesCompleted,
        long HandshakesFailed,
        long ConnectionsRefused,
        IReadOnlyDictionary<string, long> ConnectionsRefusedBy,
        long SessionsRefused,
        IReadOnlyDictionary<string, long> SessionsRefusedBy,
        long ProtocolViolations,
        LighthouseJson? Lighthouse)
    {
        /// <summary>Each module's object under its name (<c>peers</c>, later <c>phoenix</c>, <c>social</c>).</summary>
        [System.Text.Json.Serialization.JsonExtensionData]
        public Dictionary<string, object> Modules { get; init; } = [];

        /// <summary>The web dashboard's address (never its token), when it runs.</summary>
        [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
        public string? Dashboard { get; init; }

        public static StatusJson From(NodeStatus s) => new(
            s.NodeId,
            s.Fingerprint.Hex,
            s.Sector,
            s.Port,
            s.ListenAddress,
            s.DataDirectory,
            s.StartedAt.ToUnixTimeMilliseconds(),
            (long)s.Uptime.TotalMilliseconds,
            s.Sessions,
            s.Peers,
            s.Links,
            s.HandshakesCompleted,
            s.HandshakesFailed,
            s.ConnectionsRefused,
            s.ConnectionsRefusedBy,
            s.SessionsRefused,
            s.SessionsRefusedBy,
            s.ProtocolViolations,
            s.Lighthouse is null ? null : LighthouseJson.From(s.Lighthouse))
        {
            Modules = s.Sections.ToDictionary(m => m.Name, m => (object)m.Json),
        };
    }

    internal sealed record LighthouseJson(
        string State,
        string? Message,
        string Group,
        int Port,
        string? Interface,
        string? InterfaceName,
        long BeaconsSent,
        long BeaconsReceived,
        long DroppedTotal,
        IReadOnlyDictionary<string, long> Dropped)
    {
        public static LighthouseJson From(LighthouseStatus l) => new(
            l.State.ToString().ToLowerInvariant(),
            l.Message,
            l.Group.ToString(),
            l.Port,
            l.Interface?.ToString(),
            l.InterfaceName,
            l.BeaconsSent,
            l.BeaconsReceived,
            l.DroppedTotal,
            l.Dropped.Where(d => d.Value > 0).OrderBy(d => d.Key).ToDictionary(d => SnakeCase(d.Key), d => d.Value));
    }
}
