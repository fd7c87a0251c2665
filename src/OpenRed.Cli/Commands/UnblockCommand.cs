using System.CommandLine;
using OpenRed.Core.Social;

namespace OpenRed.Cli.Commands;

/// <summary>Lifts a block; the peer is then a stranger again (no friendship comes back by itself).</summary>
internal sealed class UnblockCommand : IReplCommand, ICompletingCommand
{
    private readonly Argument<string> _peer = new("peer") { Description = SocialPeers.PeerHelp };
    private readonly Option<bool> _json = CommonOptions.Json();

    public string Name => "unblock";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "Lift a block: unblock <peer>";

    public Command BuildSyntax() => new(Name, Description) { _peer, _json };

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var peer = SocialPeers.Resolve(context, parse.GetValue(_peer));
        if (!context.Node.Social.Unblock(peer.Fingerprint))
        {
            throw new CommandException($"{SocialPeers.Name(peer)} is not blocked");
        }

        if (context.Json)
        {
            context.WriteJson(new BlockCommand.BlockJson(false, peer.NodeId, peer.Fingerprint.Hex));
        }
        else
        {
            context.WriteRaw($"Unblocked {SocialPeers.Name(peer)}.\n");
        }

        return Task.FromResult(0);
    }

    public IEnumerable<string> Complete(CommandContext context, IReadOnlyList<string> words, string prefix) =>
        words.Count == 1 ? SocialPeers.Complete(context, prefix, f => f.State == FriendState.Blocked) : [];
}
