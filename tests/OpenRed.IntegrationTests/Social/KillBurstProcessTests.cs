using System.Globalization;
using OpenRed.IntegrationTests.Cli;
using OpenRed.IntegrationTests.Node;

namespace OpenRed.IntegrationTests.Social;

/// <summary>
/// Issue 13, point 4: kill -9 either node in the middle of a burst of 1000 messages, restart it, and every message
/// the sender saw as queued arrives exactly once (counted on both sides).
/// </summary>
public sealed class KillBurstProcessTests
{
    private const int Burst = 1000;
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task ReceiverKilledMidBurst_LosesNoneAndDuplicatesNone()
    {
        using var dir = new TempDirectory();
        await using var alice = await NodeCli.StartAsync(dir.Sub("alice"), "alice");
        var papa = await NodeCli.StartAsync(dir.Sub("papa"), "papa");
        await SocialCli.ConnectAsync(alice, papa);
        await SocialCli.MakeFriendsAsync(alice, "alice", papa, "papa");

        await WriteBurstAsync(alice);
        await NodeCli.PollAsync(papa, "status", s => Received(s) >= Burst / 5, Long);
        papa.Kill();
        await papa.DisposeAsync();
        await QueuedLinesAsync(alice, Burst);

        await using var again = await NodeCli.StartAsync(dir.Sub("papa"), "papa");
        await SocialCli.ConnectAsync(again, alice);

        await AllDeliveredAsync(alice, Burst);
        await ExactlyOnceAsync(again, Enumerable.Range(0, Burst), Burst);
    }

    [Fact]
    public async Task SenderKilledMidBurst_EveryQueuedMessageArrivesExactlyOnce()
    {
        using var dir = new TempDirectory();
        var alice = await NodeCli.StartAsync(dir.Sub("alice"), "alice");
        await using var papa = await NodeCli.StartAsync(dir.Sub("papa"), "papa");
        await SocialCli.ConnectAsync(alice, papa);
        await SocialCli.MakeFriendsAsync(alice, "alice", papa, "papa");

        await WriteBurstAsync(alice);
        await QueuedLinesAsync(alice, Burst / 3);
        alice.Kill();
        await alice.DisposeAsync();
        var seen = alice.StdoutLines.Count(l => l.StartsWith("queued for", StringComparison.Ordinal));

        await using var again = await NodeCli.StartAsync(dir.Sub("alice"), "alice");
        await SocialCli.ConnectAsync(again, papa);

        // The sender may have stored a few more than it printed before the kill: those count too, once each.
        var stored = await AllDeliveredAsync(again, seen);
        stored.Should().BeGreaterThanOrEqualTo(seen).And.BeLessThanOrEqualTo(Burst);
        await ExactlyOnceAsync(papa, Enumerable.Range(0, seen), stored);
    }

    private static async Task WriteBurstAsync(OpenRedProcess alice)
    {
        for (var i = 0; i < Burst; i++)
        {
            await alice.WriteLineAsync("msg papa " + Text(i));
        }
    }

    private static string Text(int i) => "m" + i.ToString("D4", CultureInfo.InvariantCulture);

    private static long Received(System.Text.Json.JsonElement status) =>
        status.TryGetProperty("social", out var social) ? social.GetProperty("messages_received").GetInt64() : 0;

    private static async Task QueuedLinesAsync(OpenRedProcess p, int count)
    {
        var deadline = DateTime.UtcNow + Long;
        while (p.StdoutLines.Count(l => l.StartsWith("queued for", StringComparison.Ordinal)) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"fewer than {count} messages queued\n{p.Describe()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits until every outgoing message is delivered and none is waiting; returns how many were stored.</summary>
    private static async Task<int> AllDeliveredAsync(OpenRedProcess sender, int atLeast)
    {
        var chat = await NodeCli.PollAsync(
            sender, "chat papa --limit 5000",
            c => SocialCli.Count(c, outgoing: true) >= atLeast && SocialCli.Count(c, outgoing: true) == SocialCli.Count(c, outgoing: true, "delivered"),
            Long);
        return SocialCli.Count(chat, outgoing: true);
    }

    private static async Task ExactlyOnceAsync(OpenRedProcess receiver, IEnumerable<int> mustHave, int total)
    {
        var chat = await receiver.CommandJsonAsync("chat alice --limit 5000");
        var texts = SocialCli.Messages(chat).Where(m => !m.GetProperty("outgoing").GetBoolean()).Select(m => m.GetProperty("text").GetString()!).ToList();
        texts.Should().OnlyHaveUniqueItems("no message arrives twice");
        texts.Should().HaveCount(total);
        texts.Should().Contain(mustHave.Select(Text), "no message the sender saw as queued is lost");
    }
}
