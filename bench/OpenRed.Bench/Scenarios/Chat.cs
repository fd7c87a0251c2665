using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Bench.Report;
using OpenRed.Core;
using OpenRed.Core.Node;
using OpenRed.Core.Social;

namespace OpenRed.Bench.Scenarios;

/// <summary>
/// Issue 13: two friends with one session over loopback; messages a second with receipts (each stored on both sides
/// before its receipt, as the node always does), and the median time from <c>msg</c> (the call the prompt makes) to
/// the delivered mark. Both nodes run in this process, with their own databases.
/// </summary>
internal static class Chat
{
    public static async Task<IReadOnlyList<Figure>> RunAsync(int messages, int latencyRuns, Action<string> progress, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("openred-bench-chat-").FullName;
        try
        {
            await using var alice = await StartAsync(root, "alice", cancellationToken);
            await using var papa = await StartAsync(root, "papa", cancellationToken);
            await alice.ConnectAsync("127.0.0.1", papa.Port, papa.Fingerprint, cancellationToken);
            alice.Social.AddFriend(new PeerRef(papa.Fingerprint, "papa"), "bench");
            await Until(() => papa.Social.GetFriends().Any(f => f.State == FriendState.PendingIn), cancellationToken);
            papa.Social.Accept(alice.Fingerprint);
            await Until(() => alice.Social.IsFriendOf(papa), cancellationToken);

            using var events = alice.SubscribeEvents(messages + latencyRuns + 1000);
            var latencies = new List<double>();
            for (var i = 0; i < latencyRuns + 20; i++)
            {
                var clock = Stopwatch.StartNew();
                var sent = alice.Social.SendMessage(papa.Fingerprint, "latency " + i);
                await DeliveredAsync(events, 1, sent.MessageIdHex, cancellationToken);
                if (i >= 20)
                {
                    latencies.Add(clock.Elapsed.TotalMilliseconds);
                }
            }

            latencies.Sort();
            progress($"chat latency median {latencies[latencies.Count / 2]:0.00} ms");
            var burst = Stopwatch.StartNew();
            for (var i = 0; i < messages; i++)
            {
                alice.Social.SendMessage(papa.Fingerprint, "burst " + i);
            }

            await DeliveredAsync(events, messages, null, cancellationToken);
            var rate = messages / burst.Elapsed.TotalSeconds;
            progress($"chat {rate:0} messages/s");
            var peak = Infra.ProcInfo.PeakRssKiB();
            return
            [
                new Figure("chat messages/s with receipts, one session", Math.Round(rate), "msg/s")
                {
                    PeakRssKiB = peak,
                    Note = $"{messages} messages sent at once (window {alice.Social.Options.SendWindow}), each stored on both sides before its receipt; both nodes in one process",
                },
                new Figure("chat latency msg → delivered, median", Math.Round(latencies[latencies.Count / 2], 3), "ms")
                {
                    Note = $"{latencyRuns} messages one at a time after 20 warm-up; p95 {latencies[(int)(latencies.Count * 0.95)]:0.00} ms",
                },
            ];
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static bool IsFriendOf(this ISocial social, OpenRedNode peer) =>
        social.GetFriends().Any(f => f.Fingerprint == peer.Fingerprint && f.State == FriendState.Friend);

    private static async Task DeliveredAsync(NodeEventSubscription events, int count, string? id, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        var seen = 0;
        while (seen < count)
        {
            var e = await events.Reader.ReadAsync(timeout.Token);
            if (e is ChatDeliveredEvent d && (id is null || d.MessageId == id))
            {
                seen++;
            }
        }
    }

    private static async Task Until(Func<bool> condition, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("the two nodes did not become friends");
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    private static Task<OpenRedNode> StartAsync(string root, string nodeId, CancellationToken cancellationToken) =>
        OpenRedNode.StartAsync(
            new NodeOptions
            {
                NodeId = nodeId,
                DataDirectory = Path.Combine(root, nodeId),
                Port = 0,
                ListenAddress = IPAddress.Loopback,
                LighthouseEnabled = false,
            },
            NullLoggerFactory.Instance,
            TimeProvider.System,
            cancellationToken);
}
