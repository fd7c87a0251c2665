using System.Globalization;
using OpenRed.Bench.Infra;
using OpenRed.Bench.Report;
using OpenRed.Core.Identity;

namespace OpenRed.Bench.Scenarios;

/// <summary>
/// Issue 12: N node processes on loopback, each started with --bootstrap of the previous, lighthouse off, every
/// setting at its default but the cap of inbound sessions per /24, which would count all N as one network. The clock
/// starts when the last node has started and stops when every node knows all the others and holds at least
/// min(8, N−1) sessions; handshakes spent per node are counted at that moment.
/// </summary>
internal static class MeshFormation
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(180);

    /// <param name="settleSeconds">
    /// Zero: stop once every node completed. Otherwise the nodes run this much longer, and the rotations and
    /// handshakes of its second half are reported: a settled mesh goes quiet, and the end figures show what settling cost.
    /// </param>
    public static async Task<IReadOnlyList<Figure>> RunAsync(
        int n, double timeoutSeconds, double settleSeconds, Action<string> progress, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("openred-bench-mesh-");
        var children = new List<Child>();
        try
        {
            var sessions = Math.Min(8, n - 1);
            for (var i = 0; i < n; i++)
            {
                // Identities are made before any clock: RSA key generation is not mesh formation.
                var dir = Path.Combine(root.FullName, $"node{i}");
                new OpenRed.Core.Storage.DataDirectory(dir).Create();
                using (KeyFile.LoadOrCreate(Path.Combine(dir, KeyFile.FileName)))
                {
                }

                children.Add(Child.Start($"node{i}", "role-mesh-node",
                [
                    "--id", $"node{i}", "--dir", dir, "--peers", (n - 1).ToString(CultureInfo.InvariantCulture),
                    "--sessions", sessions.ToString(CultureInfo.InvariantCulture),
                    "--timeout", timeoutSeconds.ToString(CultureInfo.InvariantCulture),
                ]));
            }

            await Task.WhenAll(children.Select(c => c.ExpectAsync("ready", ReadyTimeout, cancellationToken)));
            progress($"mesh: {n} runtimes ready; starting the chain");
            var port = 0;
            var tFirst = WallClock.NowMs();
            double tLast = 0;
            var completions = new List<Task<System.Text.Json.Nodes.JsonObject>>();
            foreach (var c in children)
            {
                await c.SendAsync("go " + port.ToString(CultureInfo.InvariantCulture));
                var started = await c.ExpectAsync("started", TimeSpan.FromSeconds(60), cancellationToken);
                port = (int)started["port"]!;
                tLast = (double)started["t"]!;
            }

            // Each node's timeout starts now; lines are queued, so a node that completed already is not missed.
            await Task.WhenAll(children.Select(c => c.SendAsync("clock")));
            completions.AddRange(children.Select(c => c.ExpectAsync("complete", TimeSpan.FromSeconds(timeoutSeconds + 60), cancellationToken)));
            progress(string.Create(CultureInfo.InvariantCulture, $"mesh: chain of {n} started in {tLast - tFirst:0} ms; waiting for every node to know all and hold {sessions} sessions"));
            var complete = await Task.WhenAll(completions);
            foreach (var (c, i) in complete.Select((c, i) => (c, i)))
            {
                string At(string key) => c[key] is { } t ? string.Create(CultureInfo.InvariantCulture, $"+{(double)t - tLast:0} ms") : "not reached";
                progress(string.Create(CultureInfo.InvariantCulture,
                    $"mesh: node{i}: {sessions} sessions {At("t_sessions")}, knew all {At("t_known")}; knows {(int)c["known"]!}, holds {(int)c["sessions"]!} sessions, {(long)c["handshakes"]!} handshakes ({(long?)c["handshakes_at_clock"]} at the last start), {(long)c["rotations"]!} rotations"));
            }

            double? Both(System.Text.Json.Nodes.JsonObject c) =>
                c["t_known"] is { } k && c["t_sessions"] is { } s ? Math.Max((double)k, (double)s) : null;
            var allDone = complete.All(c => Both(c) is not null);
            // JSON has no NaN: a figure not reached is written as the timeout, with Met false and a note saying so.
            var formation = allDone ? complete.Max(c => Both(c)!.Value) - tLast : timeoutSeconds * 1000;
            var sessionsDone = complete.All(c => c["t_sessions"] is not null);
            var sessionsMs = sessionsDone ? complete.Max(c => (double)c["t_sessions"]!) - tLast : timeoutSeconds * 1000;
            var knownCounts = complete.Select(c => (int)c["known"]!).Order().ToList();
            var perNode = complete.Select(c => (double)(long)c["handshakes"]!).ToList();
            var sinceClock = complete.Where(c => c["handshakes_at_clock"] is not null)
                .Select(c => (H: (double)((long)c["handshakes"]! - (long)c["handshakes_at_clock"]!), R: (double)((long)c["rotations"]! - (long)c["rotations_at_clock"]!)))
                .DefaultIfEmpty((0, 0)).ToList();
            var lastNodes = complete.Select((c, i) => (i, t: Both(c) ?? double.PositiveInfinity)).OrderByDescending(x => x.t).Take(3)
                .Select(x => double.IsPositiveInfinity(x.t) ? $"node{x.i} not within {timeoutSeconds:0} s" : string.Create(CultureInfo.InvariantCulture, $"node{x.i} +{x.t - tLast:0} ms"));
            var settled = "";
            if (settleSeconds > 0)
            {
                progress(string.Create(CultureInfo.InvariantCulture, $"mesh: settling {settleSeconds:0} s"));
                await Task.Delay(TimeSpan.FromSeconds(settleSeconds / 2), cancellationToken);
                var half = await SnapAsync(children, cancellationToken);
                await Task.Delay(TimeSpan.FromSeconds(settleSeconds / 2), cancellationToken);
                var end = await SnapAsync(children, cancellationToken);
                settled = string.Create(CultureInfo.InvariantCulture,
                    $"; settling {settleSeconds:0} s after the last completion: in its second half {end.Rotations - half.Rotations} rotations and {end.Handshakes - half.Handshakes} handshake ends in all (each handshake counts on both nodes)");
            }

            await Task.WhenAll(children.Select(c => c.SendAsync("stop")));
            var stopped = await Task.WhenAll(children.Select(c => c.ExpectAsync("stopped", TimeSpan.FromSeconds(30), cancellationToken)));
            await Task.WhenAll(children.Select(c => c.WaitExitAsync(TimeSpan.FromSeconds(10))));
            var atStop = stopped.Select(s => (double)(long)s["handshakes"]!).ToList();
            var how = string.Create(CultureInfo.InvariantCulture,
                $"{n} node processes on 127.0.0.1 on {Environment.ProcessorCount} cores, node i started with --bootstrap of node i-1 ({tLast - tFirst:0} ms to start the chain), lighthouse off, no cap of inbound sessions per /24 (all share 127.0.0.1), defaults (target 8, one dial a second, peer exchange once a minute, session rotation every {OpenRed.Core.Peers.PeerOptions.Default.RotateEvery.TotalSeconds:0} s, also for {OpenRed.Core.Peers.PeerOptions.Default.RotateAfterNewsFor.TotalSeconds:0} s after a peer never heard of); last to complete: {string.Join(", ", lastNodes)}");
            return
            [
                new Figure($"mesh formation {n} nodes", formation, "ms")
                {
                    Target = "< 30000 ms", Met = allDone && formation < 30_000, PeakRssKiB = stopped.Max(s => (long?)s["peak_rss_kib"] ?? 0),
                    Note = (allDone ? "" : "NOT REACHED within the timeout (the value is the timeout); ") + how + string.Create(CultureInfo.InvariantCulture,
                        $"; {complete.Count(c => Both(c) is not null)} of {n} nodes complete; others known per node at the end: min {knownCounts[0]}, median {knownCounts[n / 2]} of {n - 1}; peak RSS is the largest node's"),
                },
                new Figure($"mesh formation {n} nodes: every node holds {sessions} sessions", sessionsMs, "ms")
                {
                    Met = sessionsDone ? null : false,
                    Note = (sessionsDone ? "" : "NOT REACHED within the timeout (the value is the timeout); ") + $"{complete.Count(c => c["t_sessions"] is not null)} of {n} nodes reached {sessions} sessions within {timeoutSeconds:0} s of the last node's start",
                },
                new Figure($"mesh formation {n} nodes: handshakes per node, mean", perNode.Average(), "handshakes")
                {
                    Note = string.Create(CultureInfo.InvariantCulture,
                        $"completed handshakes, both directions, counted when each node completed; max {perNode.Max():0}, min {perNode.Min():0}; at the end of the run mean {atStop.Average():0.0}, failed handshakes {stopped.Sum(s => (long)s["handshakes_failed"]!)} in all; session rotations per node at the end: mean {stopped.Average(s => (long)s["rotations"]!):0.0}; of the handshakes at completion, after the last node started: mean {sinceClock.Average(x => x.H):0.0} (rotations {sinceClock.Average(x => x.R):0.0}), the rest during the chain's start{settled}"),
                },
            ];
        }
        finally
        {
            foreach (var c in children)
            {
                await c.DisposeAsync();
            }

            try
            {
                Directory.Delete(root.FullName, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static async Task<(long Handshakes, long Rotations)> SnapAsync(List<Child> children, CancellationToken cancellationToken)
    {
        await Task.WhenAll(children.Select(c => c.SendAsync("snap")));
        var snaps = await Task.WhenAll(children.Select(c => c.ExpectAsync("snap", TimeSpan.FromSeconds(30), cancellationToken)));
        return (snaps.Sum(s => (long)s["handshakes"]!), snaps.Sum(s => (long)s["rotations"]!));
    }
}
