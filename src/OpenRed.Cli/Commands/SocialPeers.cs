using OpenRed.Cli.Rendering;
using OpenRed.Core.Identity;
using OpenRed.Core.Social;

namespace OpenRed.Cli.Commands;

/// <summary>How the social commands name peers, and turn the social layer's refusals into one-line failures.</summary>
internal static class SocialPeers
{
    public const string PeerHelp = "The peer: its node-id, or a prefix of its fingerprint (8+ hex digits)";

    /// <summary>The one peer <paramref name="name"/> names among sessions, links, the friend book and kept profiles.</summary>
    public static PeerRef Resolve(CommandContext context, string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new CommandException("name the peer: its node-id, or a prefix of its fingerprint (8+ hex digits)");
        }

        var match = context.Node.Social.FindPeers(name);
        return match.Matches.Count switch
        {
            0 => throw new CommandException($"no known peer is called {Echo.Quote(name)}; see 'peers', 'links' or 'friends'"),
            1 => match.Single,
            _ => throw new CommandException(
                $"{Echo.Quote(name)} matches {match.Matches.Count} peers ({string.Join(", ", match.Matches.Select(p => PeerText.Name(p.NodeId, p.Fingerprint)))}); name one by fingerprint prefix"),
        };
    }

    /// <summary>Runs a social operation; its refusal becomes the command's one-line failure.</summary>
    public static T Do<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception e) when (e is SocialException or ThumbnailException)
        {
            throw new CommandException(e.Message, e);
        }
    }

    public static async Task DoAsync(Func<Task> operation)
    {
        try
        {
            await operation();
        }
        catch (Exception e) when (e is SocialException or ThumbnailException)
        {
            throw new CommandException(e.Message, e);
        }
    }

    public static async Task<T> DoAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (Exception e) when (e is SocialException or ThumbnailException)
        {
            throw new CommandException(e.Message, e);
        }
    }

    public static string Name(PeerRef peer) => PeerText.Name(peer.NodeId, peer.Fingerprint);

    public static string StateName(FriendState state) => state switch
    {
        FriendState.Friend => "friend",
        FriendState.PendingIn => "pending_in",
        FriendState.PendingOut => "pending_out",
        _ => "blocked",
    };

    public static string StateName(ChatState state) => state switch
    {
        ChatState.Queued => "queued",
        ChatState.Sent => "sent",
        ChatState.Delivered => "delivered",
        _ => "received",
    };

    /// <summary>Completes node-ids and short fingerprints of the friend book and the sessions.</summary>
    public static IEnumerable<string> Complete(CommandContext context, string prefix, Func<FriendEntry, bool>? filter = null)
    {
        var social = context.Node.Social;
        var names = social.GetFriends().Where(f => filter?.Invoke(f) ?? true).Select(f => (f.NodeId, f.Fingerprint))
            .Concat(filter is null ? context.Node.GetSessions().Select(s => (s.NodeId, s.Fingerprint)) : []);
        return names.SelectMany(n => new[] { n.NodeId, n.Fingerprint.Short })
            .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && (prefix.Length > 0 || !n.All(Uri.IsHexDigit)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
    }

    public static string Safety(Fingerprint fingerprint) => SafetyCode.Of(fingerprint);
}
