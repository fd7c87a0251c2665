using System.CommandLine;
using OpenRed.Cli.Rendering;
using OpenRed.Core.Social;
using OpenRed.Core.Text;

namespace OpenRed.Cli.Commands;

/// <summary>The conversation with one peer, oldest first, with the state of this node's messages.</summary>
internal sealed class ChatCommand : IReplCommand, ICompletingCommand
{
    private readonly Argument<string> _peer = new("peer") { Description = SocialPeers.PeerHelp };
    private readonly Option<int> _limit = new("--limit") { Description = "How many of the last messages (default 50)", DefaultValueFactory = _ => 50 };
    private readonly Option<bool> _json = CommonOptions.Json();

    public string Name => "chat";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "The conversation with a peer, with sent and delivered marks: chat <peer> [--limit n] [--json]";

    public Command BuildSyntax() => new(Name, Description) { _peer, _limit, _json };

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var peer = SocialPeers.Resolve(context, parse.GetValue(_peer));
        var limit = parse.GetValue(_limit);
        if (limit < 1)
        {
            throw new CommandException("--limit must be at least 1");
        }

        var messages = context.Node.Social.GetConversation(peer.Fingerprint, limit);
        if (context.Json)
        {
            context.WriteJson(new ChatJson(peer.NodeId, peer.Fingerprint.Hex, [.. messages.Select(MessageJson.From)]));
            return Task.FromResult(0);
        }

        if (messages.Count == 0)
        {
            context.WriteRaw($"No messages with {SocialPeers.Name(peer)} yet.\n");
            return Task.FromResult(0);
        }

        var who = VisibleText.Escape(peer.NodeId);
        foreach (var m in messages)
        {
            var mark = m.State switch
            {
                ChatState.Queued => "  (queued)",
                ChatState.Sent => "  (sent)",
                ChatState.Delivered => "  (delivered)",
                _ => "",
            };
            context.WriteRaw($"{PeerText.Time(m.SentAt)}  {(m.Outgoing ? "me" : who)}: {VisibleText.Escape(m.Text)}{mark}\n");
        }

        return Task.FromResult(0);
    }

    public IEnumerable<string> Complete(CommandContext context, IReadOnlyList<string> words, string prefix) =>
        words.Count == 1 ? SocialPeers.Complete(context, prefix, f => f.State == FriendState.Friend) : [];

    internal sealed record ChatJson(string NodeId, string Fingerprint, IReadOnlyList<MessageJson> Messages);

    internal sealed record MessageJson(
        string MessageId, bool Outgoing, string Text, string State, long SentAtMs, long? ReceivedAtMs, long? DeliveredAtMs, string NodeId, string Fingerprint)
    {
        public static MessageJson From(ChatEntry m) => new(
            m.MessageIdHex, m.Outgoing, m.Text, SocialPeers.StateName(m.State), m.SentAt.ToUnixTimeMilliseconds(),
            m.ReceivedAt?.ToUnixTimeMilliseconds(), m.DeliveredAt?.ToUnixTimeMilliseconds(), m.NodeId, m.Peer.Hex);
    }
}
