using System.Globalization;
using OpenRed.Bench.Infra;
using OpenRed.Bench.Report;

namespace OpenRed.Bench.Scenarios;

/// <summary>
/// Issue #4 (a): handshakes a second that one responder completes on one core, against a client on the other core
/// keeping a bounded number in flight, and the ratio to the crypto limit the responder measured on its core in the same run.
/// </summary>
internal static class Handshakes
{
    public static async Task<IReadOnlyList<Figure>> RunAsync(
        string mode, double seconds, int inFlight, double warmup, Action<string> progress, CancellationToken cancellationToken)
    {
        var pinned = Taskset.Available;
        await using var responder = Child.Start("responder", "role-responder", ["--mode", mode, "--crypto-seconds", "0.5", "--crypto-warmup", "3"], core: 0);
        var ready = await responder.ExpectAsync("ready", TimeSpan.FromSeconds(120), cancellationToken);
        var crypto = CryptoCost.FromJson(ready["crypto"]!);
        progress($"handshakes ({mode}): crypto limit on the responder's core: {crypto.Describe()} -> {crypto.LimitPerSecond:0} /s");

        await using var client = Child.Start("client", "role-client",
        [
            "--port", ((int)ready["port"]!).ToString(CultureInfo.InvariantCulture),
            "--fingerprint", (string)ready["fingerprint"]!,
            "--in-flight", inFlight.ToString(CultureInfo.InvariantCulture),
            "--seconds", seconds.ToString(CultureInfo.InvariantCulture),
            "--warmup", warmup.ToString(CultureInfo.InvariantCulture),
        ], core: 1);
        var waitWindow = TimeSpan.FromSeconds(warmup + 120);
        await client.ExpectAsync("window-start", waitWindow, cancellationToken);
        var rCpu0 = responder.CpuSeconds();
        var rJit0 = responder.JitCpuSeconds();
        var end = await client.ExpectAsync("window-end", TimeSpan.FromSeconds(seconds + 60), cancellationToken);
        var rCpu1 = responder.CpuSeconds();
        var rJit1 = responder.JitCpuSeconds();
        var done = await client.ExpectAsync("done", TimeSpan.FromSeconds(60), cancellationToken);
        await responder.SendAsync("stop");
        var stopped = await responder.ExpectAsync("stopped", TimeSpan.FromSeconds(60), cancellationToken);

        var window = (double)end["seconds"]!;
        var completed = (long)end["completed"]!;
        var failed = (long)end["failed"]!;
        var rate = completed / window;
        var ratio = rate / crypto.LimitPerSecond;
        var responderBusy = rCpu0 is { } a && rCpu1 is { } b ? (b - a) / window : double.NaN;
        var clientBusy = (double)end["cpu_seconds"]! / window;
        var jitMs = rJit0 is { } j0 && rJit1 is { } j1 ? (j1 - j0) * 1000 / completed : double.NaN;
        progress(string.Create(CultureInfo.InvariantCulture, $"handshakes ({mode}): {completed} in {window:0.0} s = {rate:0} /s, {failed} failed"));

        var label = mode == "node" ? "handshakes/s, one responder node, one core" : "handshakes/s, bare mesh responder (no link store), one core";
        var note = string.Create(CultureInfo.InvariantCulture,
            $"{(pinned ? "responder taskset core 0, client core 1" : "UNPINNED (no taskset)")}; {inFlight} in flight, {warmup:0.#} s warm-up, {window:0.0} s window; " +
            $"each = TCP connect, handshake, responder's first frame, Goodbye; {completed} done, {failed} failed" +
            $"{(end["first_error"] is { } err ? $" (first error: {(string?)err})" : "")}; latency p50 {(double?)end["latency_p50_ms"]:0.0} ms, p99 {(double?)end["latency_p99_ms"]:0.0} ms; " +
            $"CPU busy: responder {responderBusy:P0} ({responderBusy * window * 1000 / completed:0.00} ms CPU a handshake, of which background JIT {jitMs:0.00} ms), client {clientBusy:P0} ({clientBusy * window * 1000 / completed:0.00} ms); responder counted {(long)stopped["handshakes_completed"]!} completed, " +
            $"{(long)stopped["handshakes_failed"]!} failed, {(long)stopped["connections_refused"]!} refused (whole run); " +
            $"client peak RSS {((long?)done["peak_rss_kib"] ?? 0) / 1024.0:0} MiB; responder heap after a full GC at the end {(double?)stopped["heap_full_gc_mib"]:0.0} MiB (a session that leaks shows here)");
        var figures = new List<Figure>
        {
            new(label, rate, "/s")
            {
                Target = ">= 2000 /s and >= 0.80 of the crypto limit",
                Met = rate >= 2000 && ratio >= 0.8,
                Reference = "crypto limit on the responder's core (RSA-PSS sign + verify + X25519 key pair + agreement)",
                ReferenceValue = crypto.LimitPerSecond,
                ReferenceUnit = "/s",
                Ratio = ratio,
                PeakRssKiB = (long?)stopped["peak_rss_kib"],
                Note = note,
            },
        };
        return figures;
    }

    /// <summary>The crypto limit alone, measured in this process, with its parts.</summary>
    public static IReadOnlyList<Figure> CryptoFigures(double seconds)
    {
        var c = CryptoCost.Measure(TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(2));
        var aes256 = AeadCost.SealMBps(256 * 1024, TimeSpan.FromSeconds(seconds));
        var aes1m = AeadCost.SealMBps(1024 * 1024, TimeSpan.FromSeconds(seconds));
        return
        [
            new Figure("crypto limit, handshakes/s per core", c.LimitPerSecond, "/s") { Note = c.Describe(), PeakRssKiB = ProcInfo.PeakRssKiB() },
            new Figure("RSA-2048 PSS sign", c.SignUs, "µs"),
            new Figure("RSA-2048 PSS verify", c.VerifyUs, "µs"),
            new Figure("X25519 key pair (BouncyCastle)", c.KeyPairUs, "µs"),
            new Figure("X25519 agreement (BouncyCastle)", c.AgreeUs, "µs"),
            new Figure("AES-256-GCM seal, 256 KiB, one core", aes256, "MB/s"),
            new Figure("AES-256-GCM seal, 1 MiB, one core", aes1m, "MB/s"),
        ];
    }
}
