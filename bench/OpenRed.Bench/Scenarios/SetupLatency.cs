using System.Globalization;
using OpenRed.Bench.Infra;
using OpenRed.Bench.Report;

namespace OpenRed.Bench.Scenarios;

/// <summary>
/// Issue #14 point 5: connection set-up latency between two idle nodes. The initiator runs connect then disconnect,
/// 200 rounds after 20 warm-up rounds (`--warmup-rounds`), against a responder whose rate limits are raised through its options; p50 and
/// p99 from the TCP connect to the session being up at the initiator. Neither process is pinned.
/// </summary>
internal static class SetupLatency
{
    public static async Task<IReadOnlyList<Figure>> RunAsync(int rounds, int warmupRounds, Action<string> progress, CancellationToken cancellationToken)
    {
        await using var responder = Child.Start("responder", "role-responder", ["--mode", "node", "--crypto-seconds", "0.05", "--crypto-warmup", "0"]);
        var ready = await responder.ExpectAsync("ready", TimeSpan.FromSeconds(120), cancellationToken);
        await using var connector = Child.Start("connector", "role-connector",
        [
            "--port", ((int)ready["port"]!).ToString(CultureInfo.InvariantCulture),
            "--fingerprint", (string)ready["fingerprint"]!,
            "--rounds", rounds.ToString(CultureInfo.InvariantCulture),
            "--warmup-rounds", warmupRounds.ToString(CultureInfo.InvariantCulture),
        ]);
        // The CPU figures cover the measured rounds only: the connector says when its warm-up rounds are over.
        await connector.ExpectAsync("measuring", TimeSpan.FromSeconds(120 + warmupRounds), cancellationToken);
        var rCpu0 = responder.CpuSeconds();
        var rJit0 = responder.JitCpuSeconds();
        var cJit0 = connector.JitCpuSeconds();
        var done = await connector.ExpectAsync("done", TimeSpan.FromSeconds(120 + rounds + warmupRounds), cancellationToken);
        var rCpu1 = responder.CpuSeconds();
        var rJit1 = responder.JitCpuSeconds();
        var cJit1 = connector.JitCpuSeconds();
        await responder.SendAsync("stop");
        var stopped = await responder.ExpectAsync("stopped", TimeSpan.FromSeconds(60), cancellationToken);

        var p50 = (double)done["p50_ms"]!;
        var p99 = (double)done["p99_ms"]!;
        var tcp50 = (double)done["tcp_p50_ms"]!;
        progress(string.Create(CultureInfo.InvariantCulture, $"set-up latency: p50 {p50:0.00} ms, p99 {p99:0.00} ms"));
        var responderCpuMs = rCpu0 is { } a && rCpu1 is { } b ? (b - a) * 1000 / rounds : double.NaN;
        // The runtime is still recompiling hot methods (tiered compilation) during these first rounds of two fresh
        // processes: its CPU competes with the handshake on two cores, so it is printed beside the figure.
        var responderJitMs = rJit0 is { } rj0 && rJit1 is { } rj1 ? (rj1 - rj0) * 1000 / rounds : double.NaN;
        var connectorJitMs = cJit0 is { } cj0 && cJit1 is { } cj1 ? (cj1 - cj0) * 1000 / rounds : double.NaN;
        var note = string.Create(CultureInfo.InvariantCulture,
            $"two idle OpenRedNode processes (lighthouse off), unpinned; connect + disconnect {rounds} times after {warmupRounds} warm-up rounds, one at a time; " +
            $"from the connect call (TCP connect first) to the session up at the initiator (connect returned and the responder's first frame in); " +
            $"connect returned at p50 {(double)done["returned_p50_ms"]!:0.00} ms, p99 {(double)done["returned_p99_ms"]!:0.00} ms; " +
            $"CPU a round: initiator {(double)done["cpu_ms_per_round"]!:0.00} ms, responder {responderCpuMs:0.00} ms " +
            $"(background JIT a round, still recompiling hot methods: initiator {connectorJitMs:0.00} ms, responder {responderJitMs:0.00} ms); " +
            $"responder's limits raised (its counters: {(long)stopped["handshakes_completed"]!} completed, {(long)stopped["connections_refused"]!} refused); " +
            $"reference: a bare TCP connect to the same port, p50 {tcp50:0.000} ms, p99 {(double)done["tcp_p99_ms"]!:0.000} ms; js-libp2p for comparison (issue): 6.5 ms");
        var rss = Math.Max((long?)done["peak_rss_kib"] ?? 0, (long?)stopped["peak_rss_kib"] ?? 0);
        return
        [
            new Figure("connection set-up, idle nodes, p50", p50, "ms")
            {
                Target = "< 2 ms",
                Met = p50 < 2,
                Reference = "bare TCP connect, same port, p50",
                ReferenceValue = tcp50,
                ReferenceUnit = "ms",
                Ratio = p50 / tcp50,
                PeakRssKiB = rss,
                Note = note,
            },
            new Figure("connection set-up, idle nodes, p99", p99, "ms")
            {
                Reference = "bare TCP connect, same port, p99",
                ReferenceValue = (double)done["tcp_p99_ms"]!,
                ReferenceUnit = "ms",
                Ratio = p99 / (double)done["tcp_p99_ms"]!,
            },
        ];
    }
}
