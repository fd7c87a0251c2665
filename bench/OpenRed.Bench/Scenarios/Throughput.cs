using System.Globalization;
using System.Text.Json.Nodes;
using OpenRed.Bench.Infra;
using OpenRed.Bench.Report;

namespace OpenRed.Bench.Scenarios;

/// <summary>
/// Issue #4 (b): bulk throughput of one session over loopback in ChunkData envelopes, and a plain TCP stream between
/// the same two processes with the same bytes in the same write size. Two sizes: 256 KiB (BENCHMARKS.md) and the
/// largest ChunkData that fits a 1 MiB frame (the issue). Median of the repetitions.
/// </summary>
internal static class Throughput
{
    public const int Size256K = 256 * 1024;

    /// <param name="receive">"single" (one receive loop) or "overlapped" (a read stage beside the decrypting loop).</param>
    public static async Task<IReadOnlyList<Figure>> RunAsync(double gib, int reps, string receive, Action<string> progress, CancellationToken cancellationToken)
    {
        var max = ChunkFrames.MaxPayload();
        int[] sizes = [Size256K, max];
        await using var sink = Child.Start("sink", "role-sink", ["--receive", receive]);
        var ready = await sink.ExpectAsync("ready", TimeSpan.FromSeconds(60), cancellationToken);
        await using var sender = Child.Start("sender", "role-sender",
        [
            "--tcp-port", ((int)ready["tcp_port"]!).ToString(CultureInfo.InvariantCulture),
            "--session-port", ((int)ready["session_port"]!).ToString(CultureInfo.InvariantCulture),
            "--gib", gib.ToString(CultureInfo.InvariantCulture),
            "--reps", reps.ToString(CultureInfo.InvariantCulture),
            "--sizes", string.Join(',', sizes.Select(s => s.ToString(CultureInfo.InvariantCulture))),
        ]);

        var results = new List<(JsonObject Result, double SinkCpu)>();
        var phaseTimeout = TimeSpan.FromSeconds(120 + (gib * 120));
        double? sinkCpu0 = null;
        while (true)
        {
            var line = await sender.ExpectAnyAsync(["phase-start", "result", "done"], phaseTimeout, cancellationToken);
            switch ((string?)line["event"])
            {
                case "phase-start":
                    sinkCpu0 = sink.CpuSeconds();
                    continue;
                case "result":
                    var sinkCpu = sink.CpuSeconds() is { } c && sinkCpu0 is { } c0 ? c - c0 : double.NaN;
                    results.Add((line, sinkCpu));
                    progress(string.Create(CultureInfo.InvariantCulture,
                        $"throughput {(string?)line["kind"]} {(int)line["size"]!} B: {(double)line["mbps"]!:0} MB/s"));
                    continue;
            }

            var senderRss = (long?)line["peak_rss_kib"];
            await sink.SendAsync("stop");
            var stopped = await sink.ExpectAsync("stopped", TimeSpan.FromSeconds(30), cancellationToken);
            var rss = Math.Max(senderRss ?? 0, (long?)stopped["peak_rss_kib"] ?? 0);
            return [.. sizes.Select(size => FigureFor(size, max, gib, receive, results, rss))];
        }
    }

    private static Figure FigureFor(int size, int max, double gib, string receive, List<(JsonObject Result, double SinkCpu)> results, long rss)
    {
        List<(JsonObject Result, double SinkCpu)> Of(string kind) =>
            [.. results.Where(r => (string?)r.Result["kind"] == kind && (int)r.Result["size"]! == size)];
        var session = Of("session");
        var tcp = Of("tcp");
        var s = Discovery.Median([.. session.Select(r => (double)r.Result["mbps"]!)]);
        var t = Discovery.Median([.. tcp.Select(r => (double)r.Result["mbps"]!)]);
        var ratio = s / t;
        // CPU per MB moves less than MB/s when other work shares the machine: the figure to compare between runs.
        static double MegaBytes(JsonObject r) => (double)r["mbps"]! * (double)r["seconds"]!;
        string Busy(List<(JsonObject Result, double SinkCpu)> rs) => string.Create(CultureInfo.InvariantCulture,
            $"sender {Discovery.Median([.. rs.Select(r => (double)r.Result["cpu_seconds"]! / (double)r.Result["seconds"]!)]):P0} " +
            $"({Discovery.Median([.. rs.Select(r => (double)r.Result["cpu_seconds"]! * 1e6 / MegaBytes(r.Result))]):0} µs CPU/MB), " +
            $"sink {Discovery.Median([.. rs.Select(r => r.SinkCpu / (double)r.Result["seconds"]!)]):P0} " +
            $"({Discovery.Median([.. rs.Select(r => r.SinkCpu * 1e6 / MegaBytes(r.Result))]):0} µs CPU/MB)");
        var what = size == max ? $"{size} B payload (largest ChunkData in a 1 MiB frame)" : $"{size / 1024} KiB payload";
        return new Figure($"session throughput, ChunkData {(size == max ? "1 MiB frames" : "256 KiB")}", s, "MB/s")
        {
            Target = ">= 1000 MB/s and >= 0.50 of plain TCP",
            Met = s >= 1000 && ratio >= 0.5,
            Reference = $"plain TCP, same processes, {(size == max ? "same" : "256 KiB")} writes",
            ReferenceValue = t,
            ReferenceUnit = "MB/s",
            Ratio = ratio,
            PeakRssKiB = rss,
            Note = string.Create(CultureInfo.InvariantCulture,
                $"{what}, sink receive {receive}, {gib:0.##} GiB a measurement, median of {session.Count} (session: " +
                $"{string.Join(", ", session.Select(r => ((double)r.Result["mbps"]!).ToString("0", CultureInfo.InvariantCulture)))}; tcp: " +
                $"{string.Join(", ", tcp.Select(r => ((double)r.Result["mbps"]!).ToString("0", CultureInfo.InvariantCulture)))}) MB/s of payload; " +
                $"CPU busy, session: {Busy(session)}; tcp: {Busy(tcp)} of a core; unpinned; peak RSS is the larger of sender and sink"),
        };
    }
}
