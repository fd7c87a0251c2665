using System.CommandLine;
using OpenRed.Core.Social;
using OpenRed.Core.Text;

namespace OpenRed.Cli.Commands;

/// <summary>Friend requests without a server (section 9): add, accept, decline, remove.</summary>
internal sealed class FriendCommand : IReplCommand, ICompletingCommand
{
    private readonly Argument<string> _addPeer = new("peer") { Description = SocialPeers.PeerHelp };
    private readonly Argument<string[]> _message = new("message") { Description = "A few words for the peer, at most 280 characters", Arity = ArgumentArity.ZeroOrMore };
    private readonly Argument<string> _peer = new("peer") { Description = SocialPeers.PeerHelp };
    private Command? _add;
    private Command? _accept;
    private Command? _decline;
    private Command? _remove;

    public string Name => "friend";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "Friend requests: friend add <peer> [message] | accept <peer> | decline <peer> | remove <peer>";

    public Command BuildSyntax()
    {
        _add = new Command("add", "Ask a peer to be friends (queued until a session with it)") { _addPeer, _message, CommonOptions.Json() };
        _accept = new Command("accept", "Accept a peer's request") { _peer, CommonOptions.Json() };
        _decline = new Command("decline", "Decline a peer's request") { _peer, CommonOptions.Json() };
        _remove = new Command("remove", "End a friendship, or withdraw a request") { _peer, CommonOptions.Json() };
        return new Command(Name, Description) { _add, _accept, _decline, _remove };
    }

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var social = context.Node.Social;
        var sub = parse.CommandResult.Command;
        if (sub == _add)
        {
            var peer = SocialPeers.Resolve(context, parse.GetValue(_addPeer));
            // The words after the peer, with the prompt's quoting undone (friend add papa "c'est Alice"), options aside.
            var message = string.Join(' ', parse.GetValue(_message) ?? []);
            var entry = SocialPeers.Do(() => social.AddFriend(peer, message));
            Report(context, "friend add", entry, entry.State == FriendState.Friend
                ? $"{SocialPeers.Name(peer)} had asked first: you are friends now."
                : $"Friend request to {SocialPeers.Name(peer)} " + (entry.Online ? "sent." : "queued: it goes out when a session with the peer starts."));
        }
        else if (sub == _accept || sub == _decline || sub == _remove)
        {
            var peer = SocialPeers.Resolve(context, parse.GetValue(_peer));
            if (sub == _accept)
            {
                var entry = SocialPeers.Do(() => social.Accept(peer.Fingerprint));
                Report(context, "friend accept", entry, $"You and {SocialPeers.Name(peer)} are friends.");
            }
            else if (sub == _decline)
            {
                SocialPeers.Do(() => { social.Decline(peer.Fingerprint); return 0; });
                Report(context, "friend decline", null, $"Declined the request of {SocialPeers.Name(peer)}.", peer);
            }
            else
            {
                SocialPeers.Do(() => { social.Remove(peer.Fingerprint); return 0; });
                Report(context, "friend remove", null, $"{SocialPeers.Name(peer)} is no longer a friend (nor asked).", peer);
            }
        }
        else
        {
            throw new CommandException("say which: friend add <peer> [message] | accept <peer> | decline <peer> | remove <peer>");
        }

        return Task.FromResult(0);
    }

    public IEnumerable<string> Complete(CommandContext context, IReadOnlyList<string> words, string prefix) => words.Count switch
    {
        1 => new[] { "add", "accept", "decline", "remove" }.Where(w => w.StartsWith(prefix, StringComparison.Ordinal)),
        2 when words[1] is "accept" or "decline" => SocialPeers.Complete(context, prefix, f => f.State == FriendState.PendingIn),
        2 when words[1] is "remove" => SocialPeers.Complete(context, prefix, f => f.State is FriendState.Friend or FriendState.PendingOut),
        2 => SocialPeers.Complete(context, prefix),
        _ => [],
    };

    private static void Report(CommandContext context, string action, FriendEntry? entry, string text, PeerRef? peer = null)
    {
        if (context.Json)
        {
            var fingerprint = entry?.Fingerprint ?? peer!.Fingerprint;
            context.WriteJson(new FriendActionJson(
                action, entry?.NodeId ?? peer!.NodeId, fingerprint.Hex, entry is null ? "none" : SocialPeers.StateName(entry.State), entry?.Delivered ?? false));
        }
        else
        {
            context.WriteRaw(VisibleText.Escape(text) + "\n");
        }
    }

    internal sealed record FriendActionJson(string Action, string NodeId, string Fingerprint, string State, bool Delivered);
}
