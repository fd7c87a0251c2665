using System.CommandLine;
using OpenRed.Cli.Rendering;
using OpenRed.Core.Mesh;

namespace OpenRed.Cli.Commands;

/// <summary>Closes a session with Goodbye; the peer is named by node-id or by a fingerprint prefix.</summary>
internal sealed class DisconnectCommand : IReplCommand, ICompletingCommand
{
    private readonly Argument<string> _peer = new("peer")
    {
        Description = "The peer: its node-id, or a prefix of its fingerprint (8+ hex digits)",
    };

    private readonly Option<bool> _json = CommonOptions.Json();

    public string Name => "disconnect";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "Close a session with a goodbye: disconnect <node-id | fingerprint prefix>";

    public Command BuildSyntax() => new(Name, Description) { _peer, _json };

    public async Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var name = parse.GetValue(_peer)!;
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new CommandException("name the peer: its node-id, or a prefix of its fingerprint (8+ hex digits)");
        }

        var node = context.Node;
        var match = node.FindSessions(name);
        if (match.Matches.Count == 0)
        {
            var sessions = node.GetSessions();
            throw new CommandException(sessions.Count == 0
                ? $"no session with {Echo.Quote(name)}: there are no sessions"
                : $"no session with {Echo.Quote(name)}; sessions: {string.Join(", ", sessions.Select(s => PeerText.Name(s.NodeId, s.Fingerprint)))}");
        }

        if (!match.IsUnique)
        {
            throw new CommandException(
                $"{Echo.Quote(name)} matches {match.Matches.Count} sessions ({string.Join(", ", match.Matches.Select(s => PeerText.Name(s.NodeId, s.Fingerprint)))}); name one by fingerprint prefix");
        }

        var session = match.Single;
        await node.DisconnectAsync(session.Fingerprint, cancellationToken);
        if (context.Json)
        {
            context.WriteJson(new DisconnectJson(true, session.NodeId, session.Fingerprint.Hex));
        }
        else
        {
            context.WriteRaw($"Disconnected from {PeerText.Name(session.NodeId, session.Fingerprint)}.\n");
        }

        return 0;
    }

    /// <summary>The node-ids and short fingerprints of the live sessions.</summary>
    public IEnumerable<string> Complete(CommandContext context, IReadOnlyList<string> words, string prefix)
    {
        if (words.Count != 1)
        {
            return [];
        }

        var sessions = context.Node.GetSessions();
        var ambiguous = sessions.GroupBy(s => s.NodeId, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key)
            .ToHashSet(StringComparer.Ordinal);

        // A node-id two sessions share would not name one peer: offer their fingerprints instead.
        return sessions.Select(s => ambiguous.Contains(s.NodeId) ? s.Fingerprint.Short : s.NodeId)
            .Concat(prefix.Length > 0 && prefix.All(Uri.IsHexDigit) ? sessions.Select(s => s.Fingerprint.Short) : [])
            .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
    }

    internal sealed record DisconnectJson(bool Disconnected, string NodeId, string Fingerprint);
}
