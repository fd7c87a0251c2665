using System.CommandLine;
using OpenRed.Cli.Rendering;
using OpenRed.Core.Social;

namespace OpenRed.Cli.Commands;

/// <summary>The friend book: friends, requests both ways, blocked peers, each with its safety code.</summary>
internal sealed class FriendsCommand : IReplCommand
{
    private readonly Option<bool> _json = CommonOptions.Json();

    public string Name => "friends";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "List friends, pending requests in and out, and blocked peers, with safety codes and unread counts (--json)";

    public Command BuildSyntax() => new(Name, Description) { _json };

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var entries = context.Node.Social.GetFriends();
        var unread = context.Node.Social.UnreadCounts();
        if (context.Json)
        {
            context.WriteJson(new FriendsJson([.. entries.Select(e => new FriendJson(
                e.NodeId, e.Fingerprint.Hex, SocialPeers.StateName(e.State), e.Message, e.Since.ToUnixTimeMilliseconds(), e.Delivered, e.Online,
                SafetyCode.Of(e.Fingerprint), unread.GetValueOrDefault(e.Fingerprint)))]));
            return Task.FromResult(0);
        }

        if (entries.Count == 0)
        {
            context.WriteRaw("No friends yet: 'friend add <peer> [message]' asks a peer.\n");
            return Task.FromResult(0);
        }

        var table = new TextColumns("peer", "state", "since", "session", "unread", "safety code", "message");
        foreach (var e in entries)
        {
            table.Add(
                false,
                PeerText.Name(e.NodeId, e.Fingerprint),
                e.State switch
                {
                    FriendState.Friend => "friend",
                    FriendState.PendingIn => "asks you",
                    FriendState.PendingOut => e.Delivered ? "asked" : "asked (queued)",
                    _ => "blocked",
                },
                PeerText.Time(e.Since),
                e.Online ? "connected" : "-",
                unread.GetValueOrDefault(e.Fingerprint) is > 0 and var n ? $"{n} unread" : "-",
                SafetyCode.Of(e.Fingerprint),
                e.Message);
        }

        context.WriteRaw(table.Render(context.Out));
        return Task.FromResult(0);
    }

    internal sealed record FriendsJson(IReadOnlyList<FriendJson> Friends);

    internal sealed record FriendJson(string NodeId, string Fingerprint, string State, string Message, long SinceMs, bool Delivered, bool Online, string SafetyCode, int Unread);
}
