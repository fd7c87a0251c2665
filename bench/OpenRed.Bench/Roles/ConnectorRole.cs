using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Bench.Infra;
using OpenRed.Core;
using OpenRed.Core.Identity;

namespace OpenRed.Bench.Roles;

/// <summary>
/// The initiator of the set-up latency benchmark: an idle <see cref="OpenRedNode"/> that runs the user's
/// <c>connect</c> (<see cref="OpenRedNode.ConnectAsync"/>) against the responder and then <c>disconnect</c>, round
/// after round, one at a time. A round is timed from the call (TCP connect first) to the session being up here: the
/// call has returned and the responder's first frame has arrived. The reference is a bare TCP connect to the same port.
/// </summary>
internal static class ConnectorRole
{
    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var port = args.Int("--port", 0, 1, 65535);
        var rounds = args.Int("--rounds", 200, 1, 100_000);
        var warmup = args.Int("--warmup-rounds", 20, 0, 10_000);
        var expected = Fingerprint.TryParseHex(args.String("--fingerprint", ""), out var fp) ? fp : null;
        var dir = Directory.CreateTempSubdirectory("openred-bench-connector-");
        try
        {
            await using var node = await OpenRedNode.StartAsync(
                new NodeOptions
                {
                    NodeId = "connector",
                    DataDirectory = dir.FullName,
                    Port = 0,
                    ListenAddress = IPAddress.Loopback,
                    LighthouseEnabled = false,
                },
                NullLoggerFactory.Instance, TimeProvider.System, cancellationToken);

            var setup = new List<double>();
            var returned = new List<double>();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < warmup + rounds; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var info = await node.ConnectAsync("127.0.0.1", port, expected, cancellationToken);
                var back = Stopwatch.GetElapsedTime(started);
                var session = node.Mesh.Find(info.Fingerprint) ?? throw new InvalidOperationException("session gone at once");
                await session.Secure.Confirmed.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
                var up = Stopwatch.GetElapsedTime(started);
                if (i == warmup)
                {
                    cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                    RoleIO.Emit("measuring", new JsonObject { ["after_rounds"] = warmup });
                }

                if (i >= warmup)
                {
                    setup.Add(up.TotalMilliseconds);
                    returned.Add(back.TotalMilliseconds);
                }

                await node.DisconnectAsync(info.Fingerprint, cancellationToken);
            }

            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            var tcp = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                var started = Stopwatch.GetTimestamp();
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                tcp.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            setup.Sort();
            returned.Sort();
            tcp.Sort();
            RoleIO.Emit("done", new JsonObject
            {
                ["rounds"] = rounds,
                ["p50_ms"] = Percentile(setup, 0.50),
                ["p99_ms"] = Percentile(setup, 0.99),
                ["returned_p50_ms"] = Percentile(returned, 0.50),
                ["returned_p99_ms"] = Percentile(returned, 0.99),
                ["tcp_p50_ms"] = Percentile(tcp, 0.50),
                ["tcp_p99_ms"] = Percentile(tcp, 0.99),
                ["cpu_ms_per_round"] = cpu * 1000 / rounds,
                ["peak_rss_kib"] = ProcInfo.PeakRssKiB(),
            });
        }
        finally
        {
            try
            {
                dir.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }

        return 0;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, p * sorted.Count)];
}
