using System.CommandLine;
using System.Text;
using OpenRed.Cli.Rendering;
using OpenRed.Core;
using OpenRed.Core.Identity;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Node;
using OpenRed.Core.Text;
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

    public string Description => "Show the peers heard on the LAN, the sessions and the peers known from others, grouped by sector (--json, --dot)";

    public Command BuildSyntax() => new(Name, Description) { _json, _dot };

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        if (context.Json && parse.GetValue(_dot))
        {
            throw new CommandException("choose one of --json and --dot");
        }

        var view = context.Node.GetConstellation();
        if (context.Json)
        {
            context.WriteJson(MapJson.From(view));
        }
        else if (parse.GetValue(_dot))
        {
            context.WriteRaw(Dot(view));
        }
        else
        {
            WriteTree(context, view);
        }

        return Task.FromResult(0);
    }

    private static void WriteTree(CommandContext context, Constellation view)
    {
        var self = view.Self;
        // Node-ids and sectors come from peers: shown with any control character made visible.
        var rows = view.Peers.Select(p => new Row(
                VisibleText.Escape(p.NodeId), p.Fingerprint, VisibleText.Escape(p.Sector), PeerText.Endpoint(p.Address), PeerText.State(p.State),
                p.LastHeard is { } heard ? "heard " + PeerText.Ago(view.At - heard) : "no beacon",
                string.Join(", ", p.Sources)))
            .Concat(view.Known.Select(k => new Row(
                VisibleText.Escape(k.NodeId ?? "?"), k.Fingerprint, VisibleText.Escape(k.Sector ?? "?"), OpenRed.Core.Common.Endpoints.Format(k.Host, k.Port),
                k.Verified ? "known, verified" : "known", "no session", string.Join(", ", k.Sources))))
            .Prepend(new Row(self.NodeId, self.Fingerprint, self.Sector, SelfAddress(self), "this node", "", ""))
            .ToList();

        var widths = new[]
        {
            rows.Max(r => r.NodeId.Length), 16, rows.Max(r => r.Address.Length), rows.Max(r => r.State.Length), rows.Max(r => r.Heard.Length),
        };

        var tree = new Tree(new Text($"{self.NodeId} ({self.Fingerprint.Short}), sector {self.Sector}"));
        var sectors = rows.GroupBy(r => r.Sector, StringComparer.Ordinal)
            .OrderBy(g => g.Key == self.Sector ? 0 : 1)
            .ThenBy(g => g.Key, StringComparer.Ordinal);
        foreach (var sector in sectors)
        {
            var label = sector.Key == self.Sector ? sector.Key : $"{sector.Key} (other sector)";
            var branch = tree.AddNode(new Text(label, new Style(decoration: Decoration.Bold)));
            var ordered = sector.OrderBy(r => r.Fingerprint == self.Fingerprint ? 0 : 1)
                .ThenBy(r => r.NodeId, StringComparer.Ordinal)
                .ThenBy(r => r.Fingerprint);
            foreach (var r in ordered)
            {
                var isSelf = r.Fingerprint == self.Fingerprint;
                var source = r.Sources.Length > 0 ? "via " + r.Sources : "";
                var line = $"{(isSelf ? "*" : " ")} {r.NodeId.PadRight(widths[0])}  {r.Fingerprint.Short}  {r.Address.PadRight(widths[2])}  "
                    + $"{r.State.PadRight(widths[3])}  {r.Heard.PadRight(widths[4])}  {source}";
                branch.AddNode(new Text(line.TrimEnd(), isSelf ? new Style(decoration: Decoration.Bold) : Style.Plain));
            }
        }

        context.Out.Write(tree);
        var lighthouse = view.Lighthouse;
        var anyHeard = view.Peers.Any(p => p.Heard);
        var footer = lighthouse.State switch
        {
            LighthouseState.Running when view.Peers.Count == 0 => "No peer yet; beacons go out every "
                + PeerText.Duration(view.BeaconInterval) + ".",
            LighthouseState.Running when !anyHeard => "No beacon heard yet: the peers above are known through their sessions.",
            LighthouseState.Running => "",
            LighthouseState.Disabled => "Lighthouse off (--no-lighthouse): only sessions are shown.",
            _ => "Lighthouse " + lighthouse.State.ToString().ToLowerInvariant() + ": " + lighthouse.Message,
        };
        if (footer.Length > 0)
        {
            context.WriteRaw(footer + "\n");
        }
    }

    private static string SelfAddress(ConstellationSelf self)
    {
        var ip = self.ListenEndPoint.Address;
        return ip.Equals(System.Net.IPAddress.Any) || ip.Equals(System.Net.IPAddress.IPv6Any)
            ? "*:" + self.ListenEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : PeerText.Endpoint(self.ListenEndPoint);
    }

    internal static string Dot(Constellation view)
    {
        static string Id(Fingerprint f) => "\"" + f.Short + "\"";
        static string Quote(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

        var self = view.Self;
        var nodes = new List<(Fingerprint Fingerprint, string NodeId, string Sector, string Attributes)>
        {
            (self.Fingerprint, self.NodeId, self.Sector, "shape=doublecircle, style=bold"),
        };
        nodes.AddRange(view.Peers.Select(p => (p.Fingerprint, p.NodeId, p.Sector,
            p.State == LighthousePeerState.Unverified ? "shape=ellipse, style=dashed" : "shape=ellipse")));
        nodes.AddRange(view.Known.Select(k => (k.Fingerprint, k.NodeId ?? "?", k.Sector ?? "?", "shape=ellipse, style=dotted")));

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

        foreach (var s in view.Sessions)
        {
            dot.Append("  ").Append(Id(self.Fingerprint)).Append(" -- ").Append(Id(s.Fingerprint))
                .Append(" [label=\"").Append(PeerText.Direction(s.Direction)).Append("\"];\n");
        }

        dot.Append("}\n");
        return dot.ToString();
    }

    private sealed record Row(string NodeId, Fingerprint Fingerprint, string Sector, string Address, string State, string Heard, string Sources);

    /// <summary>
    /// The stable JSON shape of <c>map --json</c>: <c>peers</c> are those the lighthouse heard, <c>known</c> those the
    /// peer directory knows (exchange, links, bootstrap) with no beacon heard and no session now.
    /// </summary>
    internal sealed record MapJson(MapSelfJson Self, IReadOnlyList<MapPeerJson> Peers, IReadOnlyList<MapSessionJson> Sessions, IReadOnlyList<MapKnownJson> Known)
    {
        public static MapJson From(Constellation view) => new(
            new MapSelfJson(view.Self.NodeId, view.Self.Fingerprint.Hex, view.Self.Sector, view.Self.ListenEndPoint.Port),
            view.Peers.Where(p => p.Heard)
                .Select(p => new MapPeerJson(
                    p.NodeId,
                    p.Fingerprint.Hex,
                    p.Sector,
                    PeerText.Address(p.Address.Address),
                    p.Address.Port,
                    PeerText.State(p.State),
                    p.SameSector,
                    p.FirstSeen!.Value.ToUnixTimeMilliseconds(),
                    p.LastHeard!.Value.ToUnixTimeMilliseconds(),
                    (long)Math.Max(0, (view.At - p.LastHeard.Value).TotalMilliseconds),
                    p.Sources))
                .ToList(),
            view.Sessions.Select(s => new MapSessionJson(s.Fingerprint.Hex, s.NodeId, s.Sector, Sources(view, s.Fingerprint))).ToList(),
            view.Known.Select(k => new MapKnownJson(
                k.NodeId, k.Fingerprint.Hex, k.Sector, k.Host, k.Port, k.Verified, k.LastHeard.ToUnixTimeMilliseconds(),
                k.LastSuccess?.ToUnixTimeMilliseconds(), k.Sources)).ToList());

        private static IReadOnlyList<string> Sources(Constellation view, Fingerprint fingerprint) =>
            view.Peers.FirstOrDefault(p => p.Fingerprint == fingerprint)?.Sources ?? [];
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
        long LastHeardAgoMs,
        IReadOnlyList<string> Sources);

    // Sector: a peer known only by its session (no beacon heard) is in no other list; the dashboard groups it by this.
    internal sealed record MapSessionJson(string Fingerprint, string NodeId, string Sector, IReadOnlyList<string> Sources);

    internal sealed record MapKnownJson(
        string? NodeId,
        string Fingerprint,
        string? Sector,
        string Address,
        int TcpPort,
        bool Verified,
        long LastHeardMs,
        long? LastSuccessMs,
        IReadOnlyList<string> Sources);
}
