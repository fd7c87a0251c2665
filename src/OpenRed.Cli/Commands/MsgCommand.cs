using System.CommandLine;
using OpenRed.Core.Social;

namespace OpenRed.Cli.Commands;

/// <summary>Sends a chat message to a friend: stored as queued first, then sent; the rest of the line is the text, as typed.</summary>
internal sealed class MsgCommand : IReplCommand, ICompletingCommand
{
    private readonly Argument<string> _peer = new("peer") { Description = SocialPeers.PeerHelp };
    private readonly Argument<string[]> _text = new("text") { Description = "The message: the rest of the line as typed", Arity = ArgumentArity.OneOrMore };

    public string Name => "msg";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "Send a message to a friend: msg <peer> <text...> (kept until the friend's receipt)";

    // Only --help: "-h" and "--json" inside the text are text.
    public Command BuildSyntax() => new(Name, Description) { _peer, _text, new System.CommandLine.Help.HelpOption("--help") };

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var peer = SocialPeers.Resolve(context, parse.GetValue(_peer));
        var text = context.RestOfLine(2).TrimEnd('\r', '\n');
        var entry = SocialPeers.Do(() => context.Node.Social.SendMessage(peer.Fingerprint, text));
        context.WriteRaw($"queued for {SocialPeers.Name(peer)} ({entry.MessageIdHex[..8]})\n");
        return Task.FromResult(0);
    }

    public IEnumerable<string> Complete(CommandContext context, IReadOnlyList<string> words, string prefix) =>
        words.Count == 1 ? SocialPeers.Complete(context, prefix, f => f.State == FriendState.Friend) : [];
}
