using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Bench.Infra;
using OpenRed.Core;

namespace OpenRed.Bench.Roles;

/// <summary>
/// One node of the discovery benchmark: loads the runtime, says "ready", starts an <see cref="OpenRedNode"/> on "go",
/// reports when its first beacon went out and when its peer map held every other node, and stops on "stop".
/// </summary>
internal static class NodeRole
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(1);

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var nodeId = args.String("--id") ?? throw new ArgumentException("--id is required");
        var dir = args.String("--dir") ?? throw new ArgumentException("--dir is required");
        var others = args.Int("--peers", 19, 1, 10_000);
        var port = args.Int("--lighthouse-port", 0, 1, 65535);
        var sector = args.String("--sector", "general");
        var timeout = TimeSpan.FromSeconds(args.Number("--timeout", 30, 1, 600));

        var options = new NodeOptions
        {
            NodeId = nodeId,
            Sector = sector,
            DataDirectory = dir,
            Port = 0,
            ListenAddress = IPAddress.Loopback,
            LighthouseEnabled = true,
            LighthouseInterface = IPAddress.Loopback,
            LighthousePort = port,
        };
        var warmupPort = args.Int("--warmup-port", 0, 0, 65535);
        if (warmupPort != 0)
        {
            await WarmUpAsync(options, warmupPort, cancellationToken);
        }

        RoleIO.Emit("ready", new JsonObject { ["t"] = WallClock.NowMs() });
        if (await RoleIO.NextCommandAsync(TimeSpan.FromMinutes(5), cancellationToken) != "go")
        {
            return 0;
        }

        var tGo = WallClock.NowMs();
        var complete = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var node = await OpenRedNode.StartAsync(options, NullLoggerFactory.Instance, TimeProvider.System, cancellationToken);
        var tStarted = WallClock.NowMs();
        void Check()
        {
            if (node.PeerMap.Count >= others)
            {
                complete.TrySetResult(WallClock.NowMs());
            }
        }

        // When each peer was first heard: the earliest over all nodes bounds that peer's first beacon from above,
        // more tightly than its own poll when its StartAsync returns late on a busy machine.
        var heard = new Dictionary<string, double>();
        node.PeerMap.PeerDiscovered += (_, e) =>
        {
            var now = WallClock.NowMs();
            lock (heard)
            {
                heard.TryAdd(e.Peer.NodeId, now);
            }

            Check();
        };
        Check();

        // The first beacon leaves from the lighthouse's own loop, usually before StartAsync returns; this sees it within a poll.
        double tFirstBeacon;
        var pollUntil = DateTime.UtcNow + timeout;
        while (node.LighthouseStatus.BeaconsSent < 1 && DateTime.UtcNow < pollUntil)
        {
            await Task.Delay(PollEvery, cancellationToken);
        }

        tFirstBeacon = WallClock.NowMs();
        RoleIO.Emit("started", new JsonObject
        {
            ["t_go"] = tGo,
            ["t_started"] = tStarted,
            ["t_first_beacon"] = tFirstBeacon,
            ["beacons_sent"] = node.LighthouseStatus.BeaconsSent,
            ["lighthouse"] = node.LighthouseStatus.State.ToString(),
        });

        try
        {
            var tComplete = await complete.Task.WaitAsync(timeout, cancellationToken);
            var heardJson = new JsonObject();
            lock (heard)
            {
                foreach (var (id, t) in heard)
                {
                    heardJson[id] = t;
                }
            }

            RoleIO.Emit("complete", new JsonObject { ["t"] = tComplete, ["peers"] = node.PeerMap.Count, ["heard"] = heardJson });
        }
        catch (TimeoutException)
        {
            RoleIO.Error($"{nodeId}: peer map holds {node.PeerMap.Count} of {others} after {timeout.TotalSeconds:0} s");
        }

        await RoleIO.NextCommandAsync(TimeSpan.FromMinutes(2), cancellationToken);
        var sessions = node.Mesh.Sessions.Count;
        await node.DisposeAsync();
        RoleIO.Emit("stopped", new JsonObject { ["peak_rss_kib"] = ProcInfo.PeakRssKiB(), ["sessions"] = sessions });
        return 0;
    }

    /// <summary>
    /// Starts and stops a throwaway node (same key, own directory, a lighthouse port of its own) so that the JIT has
    /// compiled the start path before "go": on a 2-core machine, 20 processes compiling at once would otherwise
    /// spread the nodes' first beacons over seconds, which no real network of 20 machines does.
    /// </summary>
    private static async Task WarmUpAsync(NodeOptions options, int port, CancellationToken cancellationToken)
    {
        var dir = options.DataDirectory + "-warmup";
        new OpenRed.Core.Storage.DataDirectory(dir).Create();
        File.Copy(Path.Combine(options.DataDirectory, OpenRed.Core.Identity.KeyFile.FileName), Path.Combine(dir, OpenRed.Core.Identity.KeyFile.FileName));
        var node = await OpenRedNode.StartAsync(options with { DataDirectory = dir, LighthousePort = port }, NullLoggerFactory.Instance, TimeProvider.System, cancellationToken);
        await using (node)
        {
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (node.LighthouseStatus.BeaconsSent < 1 && DateTime.UtcNow < until)
            {
                await Task.Delay(PollEvery, cancellationToken);
            }
        }
    }
}
