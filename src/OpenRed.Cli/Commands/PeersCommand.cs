using System.CommandLine;
using OpenRed.Cli.Rendering;
using OpenRed.Core;
using OpenRed.Core.Node;

namespace OpenRed.Cli.Commands;

/// <summary>Every live session: who, where, which way, how fast, how long, how much.</summary>
internal sealed class PeersCommand : IReplCommand
{
    private readonly Option<bool> _json = CommonOptions.Json();

    private readonly Option<bool> _full = new("--full")
    {
        Description = "Show full fingerprints (64 hex digits) instead of the short form",
    };

    public string Name => "peers";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "List the sessions: node-id, fingerprint, address, direction, round-trip, age, bytes (--json, --full)";

    public Command BuildSyntax() => new(Name, Description) { _json, _full };

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var node = context.Node;
        var now = node.Time.GetUtcNow();
        var sessions = node.GetSessions();
        if (context.Json)
        {
            context.WriteJson(new PeersJson(sessions.Select(s => SessionJson.From(s, now)).ToList()));
            return Task.FromResult(0);
        }

        if (sessions.Count == 0)
        {
            context.WriteRaw("No sessions. Use 'connect <host:port>', or wait for a peer of your sector on the LAN.\n");
            return Task.FromResult(0);
        }

        var full = parse.GetValue(_full);
        var table = new TextColumns("node-id", "fingerprint", "address", "direction", "rtt", "age", "in", "out", "");
        var warned = false;
        foreach (var s in sessions)
        {
            var (address, port) = PeerText.ListenAddress(s);
            var suspect = s.ImpersonationWarning;
            warned |= suspect;
            table.Add(
                suspect,
                s.NodeId,
                full ? s.Fingerprint.Hex : s.Fingerprint.Short,
                PeerText.Endpoint(address, port),
                PeerText.Direction(s.Direction),
                PeerText.Rtt(s.RoundTripTime),
                PeerText.Duration(now - s.StartedAt),
                PeerText.Bytes(s.BytesIn),
                PeerText.Bytes(s.BytesOut),
                suspect ? "POSSIBLE IMPERSONATION" : "");
        }

        context.WriteRaw(table.Render(context.Out));
        if (warned)
        {
            context.WriteRaw("POSSIBLE IMPERSONATION: this node-id was linked before to another fingerprint; see 'links'.\n");
        }

        return Task.FromResult(0);
    }

    internal sealed record PeersJson(IReadOnlyList<SessionJson> Sessions);

    internal sealed record SessionJson(
        string NodeId,
        string Fingerprint,
        string Address,
        int TcpPort,
        string Direction,
        double? RttMs,
        long StartedAtMs,
        long AgeMs,
        long BytesIn,
        long BytesOut,
        string SessionId,
        bool ImpersonationWarning)
    {
        public static SessionJson From(SessionInfo s, DateTimeOffset now)
        {
            var (address, port) = PeerText.ListenAddress(s);
            return new SessionJson(
                s.NodeId,
                s.Fingerprint.Hex,
                address.ToString(),
                port,
                PeerText.Direction(s.Direction),
                s.RoundTripTime is { } rtt ? Math.Round(rtt.TotalMilliseconds, 3) : null,
                s.StartedAt.ToUnixTimeMilliseconds(),
                (long)Math.Max(0, (now - s.StartedAt).TotalMilliseconds),
                s.BytesIn,
                s.BytesOut,
                s.SessionId,
                s.ImpersonationWarning);
        }
    }
}
