using System.CommandLine;
using OpenRed.Cli.Rendering;
using OpenRed.Core.Mesh;

namespace OpenRed.Cli.Commands;

/// <summary>The permanent links: every peer a handshake ever verified, kept across restarts.</summary>
internal sealed class LinksCommand : IReplCommand
{
    private readonly Option<bool> _json = CommonOptions.Json();

    private readonly Option<bool> _full = new("--full")
    {
        Description = "Show full fingerprints (64 hex digits) instead of the short form",
    };

    public string Name => "links";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "List every peer ever verified by a handshake, with first and last seen (--json, --full)";

    public Command BuildSyntax() => new(Name, Description) { _json, _full };

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var node = context.Node;
        var links = node.GetLinks();
        var live = node.GetSessions().Select(s => s.Fingerprint).ToHashSet();
        if (context.Json)
        {
            context.WriteJson(new LinksJson(links.Select(l => LinkJson.From(l, live.Contains(l.Fingerprint))).ToList()));
            return Task.FromResult(0);
        }

        if (links.Count == 0)
        {
            context.WriteRaw("No links yet: a peer becomes a link after its first successful handshake.\n");
            return Task.FromResult(0);
        }

        // The same node-id on two fingerprints is what a possible impersonation looks like: show it here too.
        var sharedIds = links.GroupBy(l => l.NodeId, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key)
            .ToHashSet(StringComparer.Ordinal);
        var full = parse.GetValue(_full);
        var table = new TextColumns("node-id", "fingerprint", "address", "first seen", "last seen", "session", "");
        foreach (var l in links)
        {
            var shared = sharedIds.Contains(l.NodeId);
            table.Add(
                shared,
                l.NodeId,
                full ? l.Fingerprint.Hex : l.Fingerprint.Short,
                System.Net.IPAddress.TryParse(l.Address, out var ip) ? PeerText.Endpoint(ip, l.Port) : l.Address,
                PeerText.Time(l.FirstSeen),
                PeerText.Time(l.LastSeen),
                live.Contains(l.Fingerprint) ? "connected" : "-",
                !shared ? "" : l.Pinned ? "pinned for this node-id" : "NOT PINNED: another fingerprint holds this node-id");
        }


        context.WriteRaw(table.Render(context.Out));
        if (links.Any(l => sharedIds.Contains(l.NodeId) && !l.Pinned))
        {
            // As ssh does for a changed host key: say how to accept the change once it is checked out of band.
            context.WriteRaw("A node-id with a fingerprint that is NOT PINNED may be an impersonation. If the peer really has a new key "
                + "(compare its safety code or fingerprint with its owner), trust it with 'pin <fingerprint>'.\n");
        }

        return Task.FromResult(0);
    }

    internal sealed record LinksJson(IReadOnlyList<LinkJson> Links);

    internal sealed record LinkJson(
        string NodeId,
        string Fingerprint,
        string Address,
        int TcpPort,
        long FirstSeenMs,
        long LastSeenMs,
        bool Connected,
        bool Pinned)
    {
        public static LinkJson From(OpenRed.Core.Mesh.Link l, bool connected) => new(
            l.NodeId,
            l.Fingerprint.Hex,
            l.Address,
            l.Port,
            l.FirstSeen.ToUnixTimeMilliseconds(),
            l.LastSeen.ToUnixTimeMilliseconds(),
            connected,
            l.Pinned);
    }
}
