using System.Globalization;
using OpenRed.Bench.Infra;
using OpenRed.Bench.Report;
using OpenRed.Core.Identity;

namespace OpenRed.Bench.Scenarios;

/// <summary>
/// Issue #3: N node processes on loopback start together; the clock starts when the last has sent its first beacon
/// and stops when every node's peer map holds all the others. Median and max over the runs.
/// </summary>
internal static class Discovery
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan CompleteTimeout = TimeSpan.FromSeconds(30);

    public static async Task<IReadOnlyList<Figure>> RunAsync(
        int nodes, int runs, bool sameSector, bool cold, Action<string> progress, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("openred-bench-discovery-");
        try
        {
            // Identities are made once, before any clock: RSA key generation is not discovery.
            var keys = Path.Combine(root.FullName, "keys");
            Directory.CreateDirectory(keys);
            for (var i = 0; i < nodes; i++)
            {
                using var _ = KeyFile.LoadOrCreate(KeyPath(keys, i));
            }

            var results = new List<RunResult>();
            for (var run = 0; run < runs; run++)
            {
                var r = await RunOnceAsync(root.FullName, keys, run, nodes, sameSector, cold, cancellationToken);
                progress(string.Create(CultureInfo.InvariantCulture,
                    $"discovery run {run + 1}/{runs}: {r.DiscoveryMs:0} ms (spawn to last ready {r.StartupMs:0} ms, go to last first beacon {r.NodeStartMs:0} ms, first beacons spread over {r.SpreadMs:0} ms)"));
                results.Add(r);
            }

            var d = results.Select(r => r.DiscoveryMs).ToList();
            var rss = results.Max(r => r.PeakRssKiB);
            var how = $"{nodes} node processes on 127.0.0.1, {runs} runs, {(cold ? "cold start (JIT during the start)" : "each process started and stopped a throwaway node before 'go' (JIT warm)")}, {(sameSector ? "one sector (sessions auto-connect during the run)" : "a sector each (no auto-connect, the map only)")}";
            var median = Median(d);
            var max = d.Max();
            var variant = cold ? ", cold start" : "";
            bool? Met(double v) => cold ? null : v < 1000;
            return
            [
                new Figure($"discovery {nodes} nodes{variant}, median", median, "ms")
                {
                    Target = cold ? null : "< 1000 ms", Met = Met(median), PeakRssKiB = rss,
                    Note = $"{how}; runs: {string.Join(", ", d.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))} ms; peak RSS is the largest node's",
                },
                new Figure($"discovery {nodes} nodes{variant}, max", max, "ms") { Target = cold ? null : "< 1000 ms", Met = Met(max) },
                new Figure($"discovery{variant}: process start-up (spawn to last ready), median", Median(results.Select(r => r.StartupMs).ToList()), "ms")
                {
                    Note = $"{nodes} runtimes starting at once on {Environment.ProcessorCount} cores{(cold ? "" : ", each with its warm-up node")}; not counted in discovery",
                },
                new Figure($"discovery{variant}: node start (go to last first beacon), median", Median(results.Select(r => r.NodeStartMs).ToList()), "ms")
                {
                    Note = "OpenRedNode.StartAsync with an existing key: lock, database, listener, lighthouse; not counted in discovery",
                },
                new Figure($"discovery{variant}: first beacons spread (first to last), median", Median(results.Select(r => r.SpreadMs).ToList()), "ms")
                {
                    Note = string.Create(CultureInfo.InvariantCulture,
                        $"runs: {string.Join(", ", results.Select(r => r.SpreadMs.ToString("0", CultureInfo.InvariantCulture)))} ms; every node answers a fresh solicit within 0-250 ms, at most 4 answers a second (burst 4), one pending answer serving every solicit before it goes out; a solicit or answer lost (or a node not yet listening when the others answered) waits for the next start beacon at +2 s or +6 s"),
                },
            ];
        }
        finally
        {
            TryDelete(root.FullName);
        }
    }

    private static async Task<RunResult> RunOnceAsync(string root, string keys, int run, int n, bool sameSector, bool cold, CancellationToken cancellationToken)
    {
        // A lighthouse port of this run alone (and the next one for the warm-up), so nothing else is heard.
        var port = 20000 + Random.Shared.Next(40000);
        var children = new List<Child>();
        try
        {
            for (var i = 0; i < n; i++)
            {
                var dir = Path.Combine(root, $"run{run}", $"node{i}");
                new OpenRed.Core.Storage.DataDirectory(dir).Create();
                File.Copy(KeyPath(keys, i), Path.Combine(dir, KeyFile.FileName));
                children.Add(Child.Start($"node{i}", "role-node",
                [
                    "--id", $"node{i}", "--dir", dir, "--peers", (n - 1).ToString(CultureInfo.InvariantCulture),
                    "--lighthouse-port", port.ToString(CultureInfo.InvariantCulture),
                    "--sector", sameSector ? "general" : $"s{i}",
                    "--timeout", CompleteTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
                    "--warmup-port", cold ? "0" : (port + 1).ToString(CultureInfo.InvariantCulture),
                ]));
            }

            var spawnStart = children.Min(c => c.SpawnedAtMs);
            var ready = await Task.WhenAll(children.Select(c => c.ExpectAsync("ready", ReadyTimeout, cancellationToken)));
            var startupMs = ready.Max(r => (double)r["t"]!) - spawnStart;

            var tGo = WallClock.NowMs();
            await Task.WhenAll(children.Select(c => c.SendAsync("go")));
            var started = await Task.WhenAll(children.Select(c => c.ExpectAsync("started", CompleteTimeout, cancellationToken)));
            var complete = await Task.WhenAll(children.Select(c => c.ExpectAsync("complete", CompleteTimeout, cancellationToken)));
            // A node's first beacon: its own observation, or earlier if another node heard it before that.
            var firstBeacon = Enumerable.Range(0, n).Select(i =>
            {
                var own = (double)started[i]["t_first_beacon"]!;
                var heardBy = complete.Select(c => (double?)c["heard"]?[$"node{i}"]).Where(t => t is not null).Select(t => t!.Value);
                return heardBy.Append(own).Min();
            }).ToList();
            var lastFirstBeacon = firstBeacon.Max();
            var lastComplete = complete.Max(c => (double)c["t"]!);

            await Task.WhenAll(children.Select(c => c.SendAsync("stop")));
            var stopped = await Task.WhenAll(children.Select(c => c.ExpectAsync("stopped", TimeSpan.FromSeconds(30), cancellationToken)));
            await Task.WhenAll(children.Select(c => c.WaitExitAsync(TimeSpan.FromSeconds(10))));
            return new RunResult(
                lastComplete - lastFirstBeacon,
                startupMs,
                lastFirstBeacon - tGo,
                lastFirstBeacon - firstBeacon.Min(),
                stopped.Max(s => (long?)s["peak_rss_kib"] ?? 0));
        }
        finally
        {
            foreach (var c in children)
            {
                await c.DisposeAsync();
            }
        }
    }

    private static string KeyPath(string keys, int i) => Path.Combine(keys, $"node{i}.pem");

    internal static double Median(IReadOnlyList<double> values)
    {
        var s = values.Order().ToList();
        return s.Count == 0 ? double.NaN : s.Count % 2 == 1 ? s[s.Count / 2] : (s[(s.Count / 2) - 1] + s[s.Count / 2]) / 2;
    }

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed record RunResult(double DiscoveryMs, double StartupMs, double NodeStartMs, double SpreadMs, long PeakRssKiB);
}
