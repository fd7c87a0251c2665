using System.CommandLine;
using OpenRed.Cli.Rendering;
using OpenRed.Core.Text;

namespace OpenRed.Cli.Commands;

/// <summary>Unread messages from every friend, oldest first; reading them marks them read.</summary>
internal sealed class InboxCommand : IReplCommand
{
    private readonly Option<bool> _json = CommonOptions.Json();

    public string Name => "inbox";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "Unread messages from every friend, then marked read (--json)";

    public Command BuildSyntax() => new(Name, Description) { _json };

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var messages = context.Node.Social.TakeUnread();
        if (context.Json)
        {
            context.WriteJson(new InboxJson([.. messages.Select(ChatCommand.MessageJson.From)]));
            return Task.FromResult(0);
        }

        if (messages.Count == 0)
        {
            context.WriteRaw("No unread messages.\n");
            return Task.FromResult(0);
        }

        foreach (var m in messages)
        {
            context.WriteRaw($"{PeerText.Time(m.SentAt)}  {PeerText.Name(m.NodeId, m.Peer)}: {VisibleText.Escape(m.Text)}\n");
        }

        return Task.FromResult(0);
    }

    internal sealed record InboxJson(IReadOnlyList<ChatCommand.MessageJson> Messages);
}
