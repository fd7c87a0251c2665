using System.CommandLine;
using System.Text;
using OpenRed.Cli.Rendering;
using OpenRed.Core;
using OpenRed.Core.Identity;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Mesh;
using Spectre.Console;

namespace OpenRed.Cli.Commands;

/// <summary>The constellation: this node and every peer heard or connected, grouped by sector.</summary>
internal sealed class MapCommand : IReplCommand
{
    private readonly Option<bool> _json = CommonOptions.Json();

    private readonly Option<bool> _dot = new("--dot")
    {
        Description = "Print a Graphviz graph: nodes are this node and its peers, edges are live sessions",
    };

    public string Name => "map";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "Show the peers heard on the LAN and the sessions, grouped by sector (--json, --dot)";

    public Command BuildSyntax() => new(Name, Description) { _json, _dot };

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken ct)
    {
        if (context.Json && parse.GetValue(_dot))
        {
            throw new CommandException("choose one of --json and --dot");
        }

        var node = context.Node;
        var now = node.Time.GetUtcNow();
        var peers = node.PeerMap.Snapshot();
        var sessions = node.Mesh.Sessions;
        if (context.Json)
        {
            context.WriteJson(MapJson.From(node, peers, sessions, now));
        }
        else if (parse.GetValue(_dot))
        {
            context.WriteRaw(Dot(node, peers, sessions));
        }
        else
        {
            WriteTree(context, peers, sessions, now);
        }

        return Task.FromResult(0);
    }

    private static void WriteTree(CommandContext context, IReadOnlyList<LighthousePeer> peers, IReadOnlyList<PeerSession> sessions, DateTimeOffset now)
    {
        var node = context.Node;
        var rows = peers.Select(p => new Row(
                p.NodeId, p.Fingerprint, p.Sector, PeerText.Endpoint(p.Address), PeerText.State(p.State), "heard " + PeerText.Ago(p.HeardAgo(now))))
            .Concat(sessions.Where(s => !peers.Any(p => p.Fingerprint == s.Fingerprint)).Select(s =>
            {
                var (address, port) = PeerText.ListenAddress(s);
                return new Row(s.Peer.NodeId, s.Fingerprint, s.Peer.Sector, PeerText.Endpoint(address, port), "connected", "no beacon");
            }))
            .Prepend(new Row(node.NodeId, node.Fingerprint, node.Sector, SelfAddress(node), "this node", ""))
            .ToList();

        var widths = new[]
        {
            rows.Max(r => r.NodeId.Length), 16, rows.Max(r => r.Address.Length), rows.Max(r => r.State.Length),
        };

        var tree = new Tree(new Text($"{node.NodeId} ({node.Fingerprint.Short}), sector {node.Sector}"));
        var sectors = rows.GroupBy(r => r.Sector, StringComparer.Ordinal)
            .OrderBy(g => g.Key == node.Sector ? 0 : 1)
            .ThenBy(g => g.Key, StringComparer.Ordinal);
        foreach (var sector in sectors)
        {
            var label = sector.Key == node.Sector ? sector.Key : $"{sector.Key} (other sector)";
            var branch = tree.AddNode(new Text(label, new Style(decoration: Decoration.Bold)));
            var ordered = sector.OrderBy(r => r.Fingerprint == node.Fingerprint ? 0 : 1)
                .ThenBy(r => r.NodeId, StringComparer.Ordinal)
                .ThenBy(r => r.Fingerprint);
            foreach (var r in ordered)
            {
                var self = r.Fingerprint == node.Fingerprint;
                var line = $"{(self ? "*" : " ")} {r.NodeId.PadRight(widths[0])}  {r.Fingerprint.Short}  {r.Address.PadRight(widths[2])}  {r.State.PadRight(widths[3])}  {r.Heard}";
                branch.AddNode(new Text(line.TrimEnd(), self ? new Style(decoration: Decoration.Bold) : Style.Plain));
            }
        }

        context.Out.Write(tree);
        var lighthouse = node.LighthouseStatus;
        var footer = lighthouse.State switch
        {
            LighthouseState.Running when peers.Count == 0 => "No peer heard yet; beacons go out every "
                + PeerText.Duration(node.Options.BeaconInterval) + ".",
            LighthouseState.Running => "",
            LighthouseState.Disabled => "Lighthouse off (--no-lighthouse): only sessions are shown.",
            _ => "Lighthouse " + lighthouse.State.ToString().ToLowerInvariant() + ": " + lighthouse.Message,
        };
        if (footer.Length > 0)
        {
            context.WriteRaw(footer + "\n");
        }
    }

    private static string SelfAddress(OpenRedNode node)
    {
        var ip = node.ListenEndPoint.Address;
        return ip.Equals(System.Net.IPAddress.Any) || ip.Equals(System.Net.IPAddress.IPv6Any)
            ? "*:" + node.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : PeerText.Endpoint(ip, node.Port);
    }

    internal static string Dot(OpenRedNode node, IReadOnlyList<LighthousePeer> peers, IReadOnlyList<PeerSession> sessions)
    {
        static string Id(Fingerprint f) => "\"" + f.Short + "\"";
        static string Quote(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

        var nodes = new List<(Fingerprint Fingerprint, string NodeId, string Sector, string Attributes)>
        {
            (node.Fingerprint, node.NodeId, node.Sector, "shape=doublecircle, style=bold"),
        };
        nodes.AddRange(peers.Select(p => (p.Fingerprint, p.NodeId, p.Sector,
            p.State == LighthousePeerState.Unverified ? "shape=ellipse, style=dashed" : "shape=ellipse")));
        nodes.AddRange(sessions.Where(s => !peers.Any(p => p.Fingerprint == s.Fingerprint))
            .Select(s => (s.Fingerprint, s.Peer.NodeId, s.Peer.Sector, "shape=ellipse")));

        var dot = new StringBuilder();
        dot.Append("graph openred {\n");
        foreach (var sector in nodes.GroupBy(n => n.Sector, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // Graphviz draws a subgraph whose name starts with "cluster" as a box: one box per sector.
            dot.Append("  subgraph \"cluster_").Append(Quote(sector.Key)).Append("\" {\n");
            dot.Append("    label=\"").Append(Quote(sector.Key)).Append("\";\n");
            foreach (var n in sector.OrderBy(n => n.NodeId, StringComparer.Ordinal))
            {
                dot.Append("    ").Append(Id(n.Fingerprint)).Append(" [label=\"").Append(Quote(n.NodeId)).Append("\\n")
                    .Append(n.Fingerprint.Short).Append("\", ").Append(n.Attributes).Append("];\n");
            }

            dot.Append("  }\n");
        }

        foreach (var s in sessions.OrderBy(s => s.Peer.NodeId, StringComparer.Ordinal))
        {
            dot.Append("  ").Append(Id(node.Fingerprint)).Append(" -- ").Append(Id(s.Fingerprint))
                .Append(" [label=\"").Append(PeerText.Direction(s.Direction)).Append("\"];\n");
        }

        dot.Append("}\n");
        return dot.ToString();
    }

    private sealed record Row(string NodeId, Fingerprint Fingerprint, string Sector, string Address, string State, string Heard);

    /// <summary>The stable JSON shape of <c>map --json</c>.</summary>
    internal sealed record MapJson(MapSelfJson Self, IReadOnlyList<MapPeerJson> Peers, IReadOnlyList<MapSessionJson> Sessions)
    {
        public static MapJson From(OpenRedNode node, IReadOnlyList<LighthousePeer> peers, IReadOnlyList<PeerSession> sessions, DateTimeOffset now) => new(
            new MapSelfJson(node.NodeId, node.Fingerprint.Hex, node.Sector, node.Port),
            peers.OrderBy(p => p.Sector, StringComparer.Ordinal).ThenBy(p => p.NodeId, StringComparer.Ordinal).ThenBy(p => p.Fingerprint)
                .Select(p => new MapPeerJson(
                    p.NodeId,
                    p.Fingerprint.Hex,
                    p.Sector,
                    PeerText.Address(p.Address.Address),
                    p.Address.Port,
                    PeerText.State(p.State),
                    p.Sector == node.Sector,
                    p.FirstSeen.ToUnixTimeMilliseconds(),
                    p.LastHeard.ToUnixTimeMilliseconds(),
                    (long)Math.Max(0, p.HeardAgo(now).TotalMilliseconds)))
                .ToList(),
            sessions.OrderBy(s => s.Peer.NodeId, StringComparer.Ordinal).ThenBy(s => s.Fingerprint)
                .Select(s => new MapSessionJson(s.Fingerprint.Hex, s.Peer.NodeId))
                .ToList());
    }

    internal sealed record MapSelfJson(string NodeId, string Fingerprint, string Sector, int TcpPort);

    internal sealed record MapPeerJson(
        string NodeId,
        string Fingerprint,
        string Sector,
        string Address,
        int TcpPort,
        string State,
        bool SameSector,
        long FirstSeenMs,
        long LastHeardMs,
        long LastHeardAgoMs);

    internal sealed record MapSessionJson(string Fingerprint, string NodeId);
}
