using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Bench.Infra;
using OpenRed.Core.Identity;
using OpenRed.Core.Security;

namespace OpenRed.Bench.Roles;

/// <summary>
/// The client of the handshake benchmark: keeps <c>--in-flight</c> handshakes going against the responder, each one
/// TCP connect, handshake, the responder's first frame (so the session is really up), Goodbye and close. Counts the
/// sessions completed in a measured window after a warm-up.
/// </summary>
internal static class ClientRole
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var port = args.Int("--port", 0, 1, 65535);
        var inFlight = args.Int("--in-flight", 32, 1, 4096);
        var warmup = TimeSpan.FromSeconds(args.Number("--warmup", 2, 0, 60));
        var measure = TimeSpan.FromSeconds(args.Number("--seconds", 10, 0.5, 600));
        var expected = Fingerprint.TryParseHex(args.String("--fingerprint", ""), out var fp) ? fp : null;

        // One identity for every handshake: the responder keeps the newest session of a peer and closes the older,
        // which it would do anyway when the client says Goodbye. Key generation is not part of the figure.
        using var keys = NodeIdentity.Generate();
        var local = new LocalIdentity(keys, "bench-client", "general", 0);
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        var state = new Counters();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loops = Enumerable.Range(0, inFlight).Select(_ => Task.Run(() => LoopAsync(endpoint, local, expected, state, stop.Token), CancellationToken.None)).ToArray();

        await Task.Delay(warmup, cancellationToken);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var t0 = WallClock.NowMs();
        Volatile.Write(ref state.Measuring, 1);
        RoleIO.Emit("window-start", new JsonObject { ["t"] = t0 });
        await Task.Delay(measure, cancellationToken);
        Volatile.Write(ref state.Measuring, 2);
        var t1 = WallClock.NowMs();
        var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
        long[] latencies;
        lock (state.Latencies)
        {
            latencies = [.. state.Latencies.Order()];
        }

        RoleIO.Emit("window-end", new JsonObject
        {
            ["t"] = t1,
            ["seconds"] = (t1 - t0) / 1000,
            ["completed"] = Interlocked.Read(ref state.Completed),
            ["failed"] = Interlocked.Read(ref state.Failed),
            ["first_error"] = state.FirstError,
            ["cpu_seconds"] = (cpu1 - cpu0).TotalSeconds,
            ["latency_p50_ms"] = Percentile(latencies, 0.50),
            ["latency_p99_ms"] = Percentile(latencies, 0.99),
            ["processors"] = Environment.ProcessorCount,
        });

        await stop.CancelAsync();
        await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None).ContinueWith(static _ => { }, TaskScheduler.Default);
        RoleIO.Emit("done", new JsonObject { ["peak_rss_kib"] = ProcInfo.PeakRssKiB() });
        return 0;
    }

    private static async Task LoopAsync(IPEndPoint endpoint, LocalIdentity local, Fingerprint? expected, Counters state, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await OneAsync(endpoint, local, expected, cancellationToken);
                var phase = Volatile.Read(ref state.Measuring);
                if (phase == 1)
                {
                    Interlocked.Increment(ref state.Completed);
                    var ticks = Stopwatch.GetElapsedTime(started).Ticks;
                    lock (state.Latencies)
                    {
                        state.Latencies.Add(ticks);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Every failure is counted and reported; the loop goes on until the window ends.
            catch (Exception e)
#pragma warning restore CA1031
            {
                if (Volatile.Read(ref state.Measuring) == 1)
                {
                    Interlocked.Increment(ref state.Failed);
                }

                Interlocked.CompareExchange(ref state.FirstError, $"{e.GetType().Name}: {e.Message}", null);
                // A refusing responder must not turn this loop into a busy spin.
                await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
            }
        }
    }

    private static async Task OneAsync(IPEndPoint endpoint, LocalIdentity local, Fingerprint? expected, CancellationToken cancellationToken)
    {
        using var step = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        step.CancelAfter(StepTimeout);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            await socket.ConnectAsync(endpoint, step.Token);
            stream = new NetworkStream(socket, ownsSocket: true);
            var result = await Handshake.InitiateAsync(stream, local, expected, HandshakeOptions.Default, TimeProvider.System, step.Token);
            var session = SecureSession.Start(
                stream, result.Keys, isInitiator: true, result.Peer, SessionOptions.Default, TimeProvider.System,
                NullLogger.Instance, static (_, _, _) => ValueTask.CompletedTask);
            stream = null; // The session owns it now.
            try
            {
                // The responder's first frame (its Ping) proves it holds the keys: the session is up.
                await session.Confirmed.WaitAsync(step.Token);
            }
            finally
            {
                await session.CloseAsync("bench", CancellationToken.None);
            }
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }
            else
            {
                socket.Dispose();
            }
        }
    }

    private static double? Percentile(long[] sortedTicks, double p) =>
        sortedTicks.Length == 0 ? null : TimeSpan.FromTicks(sortedTicks[(int)Math.Min(sortedTicks.Length - 1, p * sortedTicks.Length)]).TotalMilliseconds;

    private sealed class Counters
    {
        public readonly List<long> Latencies = [];
        public long Completed;
        public long Failed;
        public int Measuring;
        public string? FirstError;
    }
}
