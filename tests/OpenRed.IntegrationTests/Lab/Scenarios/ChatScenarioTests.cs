using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace OpenRed.IntegrationTests.Lab.Scenarios;

/// <summary>
/// Issue 13 across bridged hosts: two friends, a burst of messages, and the receiving host's cable pulled in the
/// middle of it (lab.sh link down/up). Every message arrives exactly once after the cable returns: the outbox
/// keeps what has no receipt, the session that follows replays it, and the receiver drops repeats by message id.
/// </summary>
[Collection(ScenarioCollection.Name)]
public sealed class ChatScenarioTests(ITestOutputHelper output)
{
    private const int Burst = 60;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [LabFact]
    public async Task FriendsOnTwoHosts_CablePulledMidBurst_EveryMessageDeliveredOnce()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(300));
        var cancellationToken = timeout.Token;
        await using var lab = await ScenarioLab.StartAsync(["chat", "chat"], cancellationToken);
        var (alice, papa) = (lab[1], lab[2]);
        await Poll.UntilAsync(c => alice.PeersAsync(ScenarioLab.AnswerTimeout, c), p => p.NodeIds.Contains(papa.NodeId), Within,
            "a session h1–h2", cancellationToken);

        await alice.CommandJsonAsync($"friend add {papa.NodeId} hello", ScenarioLab.AnswerTimeout, cancellationToken);
        await Poll.UntilAsync(c => papa.CommandJsonAsync("friends", ScenarioLab.AnswerTimeout, c), f => State(f, alice.NodeId) == "pending_in",
            Within, "h1's request at h2", cancellationToken);
        await papa.CommandJsonAsync($"friend accept {alice.NodeId}", ScenarioLab.AnswerTimeout, cancellationToken);
        await Poll.UntilAsync(c => alice.CommandJsonAsync("friends", ScenarioLab.AnswerTimeout, c), f => State(f, papa.NodeId) == "friend",
            Within, "h1 and h2 friends", cancellationToken);

        for (var i = 0; i < Burst; i++)
        {
            if (i == Burst / 2)
            {
                await lab.Lab.LinkDownAsync(papa.Host, cancellationToken);
                output.WriteLine($"cable of host{papa.Host} pulled after {i} messages");
            }

            await alice.CommandAsync($"msg {papa.NodeId} m{i:D3}", l => l.StartsWith("queued for", StringComparison.Ordinal),
                ScenarioLab.AnswerTimeout, cancellationToken);
        }

        // Down long enough that what was sent into the dead link has no receipt; then the cable returns.
        var cut = await alice.CommandJsonAsync($"chat {papa.NodeId} --limit {Burst}", ScenarioLab.AnswerTimeout, cancellationToken);
        output.WriteLine($"while the cable is out: {Count(cut, outgoing: true, "delivered")} delivered of {Burst}");
        Count(cut, outgoing: true, "delivered").Should().BeLessThan(Burst, "the second half went out with the cable pulled");
        await lab.Lab.LinkUpAsync(papa.Host, cancellationToken);

        var sent = await Poll.UntilAsync(
            c => alice.CommandJsonAsync($"chat {papa.NodeId} --limit {Burst * 2}", ScenarioLab.AnswerTimeout, c),
            chat => Count(chat, outgoing: true, "delivered") == Burst,
            TimeSpan.FromSeconds(150),
            $"all {Burst} messages delivered after the cable returned",
            cancellationToken);
        var received = await papa.CommandJsonAsync($"chat {alice.NodeId} --limit {Burst * 2}", ScenarioLab.AnswerTimeout, cancellationToken);
        var texts = Messages(received).Where(m => !m.GetProperty("outgoing").GetBoolean()).Select(m => m.GetProperty("text").GetString()).ToList();

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"h2 holds {texts.Count} messages from h1"));
        texts.Should().OnlyHaveUniqueItems("a message replayed after the cut is stored once")
            .And.BeEquivalentTo(Enumerable.Range(0, Burst).Select(i => $"m{i:D3}"));
        Messages(sent).Count(m => m.GetProperty("outgoing").GetBoolean()).Should().Be(Burst);
    }

    private static string? State(JsonElement friends, string nodeId) =>
        friends.GetProperty("friends").EnumerateArray().Where(f => f.GetProperty("node_id").GetString() == nodeId)
            .Select(f => f.GetProperty("state").GetString()).FirstOrDefault();

    private static JsonElement[] Messages(JsonElement chat) => [.. chat.GetProperty("messages").EnumerateArray()];

    private static int Count(JsonElement chat, bool outgoing, string state) =>
        Messages(chat).Count(m => m.GetProperty("outgoing").GetBoolean() == outgoing && m.GetProperty("state").GetString() == state);
}
