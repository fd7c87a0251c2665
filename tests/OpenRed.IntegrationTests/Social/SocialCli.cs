using System.Globalization;
using System.Text.Json;
using OpenRed.IntegrationTests.Cli;
using OpenRed.IntegrationTests.Node;

namespace OpenRed.IntegrationTests.Social;

/// <summary>Two real nodes that become friends through the prompt, and the reads the social tests share.</summary>
internal static class SocialCli
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static async Task ConnectAsync(OpenRedProcess from, OpenRedProcess to)
    {
        var port = await NodeCli.TcpPortAsync(to);
        await from.CommandJsonAsync($"connect 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>alice asks papa, papa accepts; returns when both see the friendship.</summary>
    public static async Task MakeFriendsAsync(OpenRedProcess alice, string aliceId, OpenRedProcess papa, string papaId)
    {
        await alice.CommandJsonAsync($"friend add {papaId} c'est Alice");
        await NodeCli.PollAsync(papa, "friends", d => State(d, aliceId) == "pending_in", Deadline);
        (await papa.CommandJsonAsync($"friend accept {aliceId}")).GetProperty("state").GetString().Should().Be("friend");
        await NodeCli.PollAsync(alice, "friends", d => State(d, papaId) == "friend", Deadline);
    }

    public static string? State(JsonElement friends, string nodeId) =>
        friends.GetProperty("friends").EnumerateArray().Where(f => f.GetProperty("node_id").GetString() == nodeId)
            .Select(f => f.GetProperty("state").GetString()).FirstOrDefault();

    /// <summary>The friend's unread count from <c>friends --json</c> (0 for an unknown peer).</summary>
    public static int Unread(JsonElement friends, string nodeId) =>
        friends.GetProperty("friends").EnumerateArray().Where(f => f.GetProperty("node_id").GetString() == nodeId)
            .Select(f => f.GetProperty("unread").GetInt32()).FirstOrDefault();

    public static JsonElement[] Messages(JsonElement chat) => [.. chat.GetProperty("messages").EnumerateArray()];

    public static int Count(JsonElement chat, bool outgoing, string? state = null) =>
        Messages(chat).Count(m => m.GetProperty("outgoing").GetBoolean() == outgoing && (state is null || m.GetProperty("state").GetString() == state));

    /// <summary>Sends one message with <c>msg</c> and waits for its "queued" line.</summary>
    public static async Task SendAsync(OpenRedProcess p, string peer, string text)
    {
        var seen = p.StdoutLines.Count;
        await p.WriteLineAsync($"msg {peer} {text}");
        await p.WaitForStdoutAsync(l => l.StartsWith("queued for", StringComparison.Ordinal), Deadline, skip: seen);
    }
}
