using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Bench.Infra;
using OpenRed.Core;
using OpenRed.Core.Identity;
using OpenRed.Core.Phoenix;

namespace OpenRed.Bench.Roles;

/// <summary>
/// One node of the Phoenix benchmark, driven line by line: <c>connect PORT FINGERPRINT</c>, <c>publish PATH NAME</c>,
/// <c>resurrect NAME</c>, <c>urns</c>, <c>cpu</c>, <c>stop</c>. Every answer carries the process's peak resident set size
/// and CPU time.
/// </summary>
internal static class PhoenixRole
{
    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var options = new NodeOptions
        {
            NodeId = args.String("--id") ?? throw new ArgumentException("--id is required"),
            DataDirectory = args.String("--dir") ?? throw new ArgumentException("--dir is required"),
            Port = 0,
            ListenAddress = IPAddress.Loopback,
            LighthouseEnabled = false,
            Replicas = args.Int("--replicas", 3, 0, 16),
            CacheSizeBytes = 8L << 30,
            Phoenix = PhoenixOptions.Default with { ReplicationWait = TimeSpan.FromMinutes(5), ReplicaBytesPerPublisher = 4L << 30 },
        };
        await using var node = await OpenRedNode.StartAsync(options, NullLoggerFactory.Instance, TimeProvider.System, cancellationToken);
        RoleIO.Emit("ready", new JsonObject { ["tcp_port"] = node.Port, ["fingerprint"] = node.Fingerprint.Hex });
        while (true)
        {
            var words = (await RoleIO.NextCommandAsync(TimeSpan.FromMinutes(30), cancellationToken)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (words.FirstOrDefault())
            {
                case "connect":
                    Fingerprint.TryParseHex(words[2], out var expected);
                    await node.ConnectAsync("127.0.0.1", int.Parse(words[1], CultureInfo.InvariantCulture), expected, cancellationToken);
                    RoleIO.Emit("connected", Rss());
                    break;
                case "publish":
                    var clock = Stopwatch.StartNew();
                    var p = await node.Phoenix.PublishAsync(words[1], words[2], null, cancellationToken);
                    var o = Rss();
                    o["ms"] = clock.Elapsed.TotalMilliseconds;
                    o["replicas"] = p.Replicas.Count;
                    o["replica_ids"] = new JsonArray([.. p.Replicas.Select(h => (JsonNode)h.NodeId)]);
                    RoleIO.Emit("published", o);
                    break;
                case "resurrect":
                    var cpuStart = CpuMs();
                    var fetched = new CpuAtEnd();
                    var r = await node.Phoenix.ResurrectAsync(words[1], Path.Combine(options.DataDirectory, "out.bin"), TimeSpan.FromSeconds(30), fetched, cancellationToken);
                    var ro = Rss();

                    // CPU of the fetch itself: up to the last chunk stored, before the output file is written.
                    ro["fetch_cpu_ms"] = (fetched.CpuMs ?? CpuMs()) - cpuStart;
                    ro["ms"] = r.Elapsed.TotalMilliseconds;
                    ro["size"] = (long)r.Size;
                    ro["holders"] = r.Holders.Count;
                    // Who actually supplied chunks, so the scenario can check that "from 3 holders" drew on all three.
                    ro["supplied"] = new JsonArray([.. r.Holders.Select(h => (JsonNode)new JsonObject { ["node"] = h.NodeId, ["chunks"] = h.Chunks })]);
                    ro["stage"] = r.Stage.ToString();
                    File.Delete(Path.Combine(options.DataDirectory, "out.bin"));
                    RoleIO.Emit("resurrected", ro);
                    break;
                case "cpu":
                    RoleIO.Emit("cpu", Rss());
                    break;
                case "urns":
                    var uo = Rss();
                    uo["urns"] = new JsonArray([.. node.Phoenix.ListUrns().Select(u => (JsonNode)new JsonObject
                    {
                        ["name"] = u.Name, ["role"] = u.Role.ToString(), ["chunks_held"] = u.ChunksHeld, ["chunk_count"] = u.ChunkCount,
                    })]);
                    RoleIO.Emit("urns", uo);
                    break;
                default:
                    RoleIO.Emit("stopped", Rss());
                    return 0;
            }
        }
    }

    // CPU time so far (user + system), so the scenario can give CPU per chunk on each side: on a shared machine a
    // steadier figure than MB/s.
    private static JsonObject Rss() => new() { ["peak_rss_kib"] = ProcInfo.PeakRssKiB(), ["cpu_ms"] = CpuMs() };

    private static double CpuMs() => Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;

    /// <summary>Notes the process's CPU time when the last byte is held (reported on the fetch's own thread, not posted).</summary>
    private sealed class CpuAtEnd : IProgress<ResurrectProgress>
    {
        public double? CpuMs { get; private set; }

        public void Report(ResurrectProgress value)
        {
            if (value.BytesHeld >= value.TotalBytes && CpuMs is null)
            {
                CpuMs = PhoenixRole.CpuMs();
            }
        }
    }
}
