using System.CommandLine;

namespace OpenRed.Cli.Commands;

/// <summary>Blocks a peer: its session closes, its handshakes are refused, it is never dialled, its requests vanish.</summary>
internal sealed class BlockCommand : IReplCommand, ICompletingCommand
{
    private readonly Argument<string> _peer = new("peer") { Description = SocialPeers.PeerHelp };
    private readonly Option<bool> _json = CommonOptions.Json();

    public string Name => "block";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "Block a peer (ends friendship and requests, refuses its sessions): block <peer>";

    public Command BuildSyntax() => new(Name, Description) { _peer, _json };

    public async Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var peer = SocialPeers.Resolve(context, parse.GetValue(_peer));
        await SocialPeers.DoAsync(() => context.Node.Social.BlockAsync(peer, cancellationToken));
        if (context.Json)
        {
            context.WriteJson(new BlockJson(true, peer.NodeId, peer.Fingerprint.Hex));
        }
        else
        {
            context.WriteRaw($"Blocked {SocialPeers.Name(peer)}.\n");
        }

        return 0;
    }

    public IEnumerable<string> Complete(CommandContext context, IReadOnlyList<string> words, string prefix) =>
        words.Count == 1 ? SocialPeers.Complete(context, prefix) : [];

    internal sealed record BlockJson(bool Blocked, string NodeId, string Fingerprint);
}
