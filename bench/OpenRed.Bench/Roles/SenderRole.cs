using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Google.Protobuf;
using OpenRed.Bench.Infra;
using OpenRed.Bench.Scenarios;
using OpenRed.Core.Mesh;
using OpenRed.Core.Security;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Bench.Roles;

/// <summary>
/// The sending end of the throughput benchmark: for each payload size, the same bytes over a plain TCP stream and
/// over one secure session to the sink, alternating, <c>--reps</c> times, after a warm-up of each.
/// </summary>
internal static class SenderRole
{
    private const long WarmupBytes = 64L << 20;

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var tcpPort = args.Int("--tcp-port", 0, 1, 65535);
        var sessionPort = args.Int("--session-port", 0, 1, 65535);
        var total = (long)(args.Number("--gib", 1, 0.01, 64) * (1L << 30));
        var reps = args.Int("--reps", 3, 1, 100);
        var sizes = args.String("--sizes", "262144").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

        await using var dialer = BareMesh.Dialer("sender", MeshOptions.Default);
        var peer = await dialer.Mesh.ConnectAsync(new IPEndPoint(IPAddress.Loopback, sessionPort), null, cancellationToken);
        var session = peer.Secure;
        var root = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(ChunkFrames.Root));

        foreach (var size in sizes)
        {
            var payload = RandomNumberGenerator.GetBytes(size);
            var data = ByteString.CopyFrom(payload);
            var frames = (total + size - 1) / size;
            await PlainAsync(tcpPort, payload, WarmupBytes / size, cancellationToken);
            await SessionAsync(session, root, data, WarmupBytes / size, cancellationToken);
            for (var rep = 0; rep < reps; rep++)
            {
                // Alternate which goes first, so a drift of the machine does not favour one side.
                var order = rep % 2 == 0 ? new[] { "tcp", "session" } : ["session", "tcp"];
                foreach (var kind in order)
                {
                    RoleIO.Emit("phase-start", new JsonObject { ["kind"] = kind, ["size"] = size });
                    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                    var gc0 = GcSnapshot.Now();
                    var (bytes, seconds) = kind == "tcp"
                        ? await PlainAsync(tcpPort, payload, frames, cancellationToken)
                        : await SessionAsync(session, root, data, frames, cancellationToken);
                    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                    RoleIO.Emit("result", new JsonObject
                    {
                        ["kind"] = kind,
                        ["size"] = size,
                        ["rep"] = rep,
                        ["bytes"] = bytes,
                        ["seconds"] = seconds,
                        ["mbps"] = bytes / seconds / 1e6,
                        ["cpu_seconds"] = cpu,
                        ["gc"] = GcSnapshot.Now().Since(gc0),
                    });
                }
            }
        }

        var rekeys = session.RekeysSent;
        await dialer.Mesh.DisconnectAsync(peer, "done", cancellationToken);
        RoleIO.Emit("done", new JsonObject { ["peak_rss_kib"] = ProcInfo.PeakRssKiB(), ["rekeys"] = rekeys });
        return 0;
    }

    /// <summary>Writes the payload <paramref name="count"/> times, half-closes, and waits for the sink's byte count.</summary>
    private static async Task<(long Bytes, double Seconds)> PlainAsync(int port, byte[] payload, long count, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var sw = Stopwatch.StartNew();
        for (long i = 0; i < count; i++)
        {
            await stream.WriteAsync(payload, cancellationToken);
        }

        socket.Shutdown(SocketShutdown.Send);
        var answer = new byte[8];
        await stream.ReadExactlyAsync(answer, cancellationToken);
        var seconds = sw.Elapsed.TotalSeconds;
        var received = BitConverter.ToInt64(answer);
        if (received != count * payload.Length)
        {
            throw new InvalidOperationException($"plain TCP: sink received {received} of {count * payload.Length} bytes");
        }

        return (received, seconds);
    }

    /// <summary>Sends ChunkData notifications as fast as the session's queue takes them, then asks the sink what arrived.</summary>
    private static async Task<(long Bytes, double Seconds)> SessionAsync(
        SecureSession session, ByteString root, ByteString data, long count, CancellationToken cancellationToken)
    {
        var sw = Stopwatch.StartNew();
        for (long i = 0; i < count; i++)
        {
            await session.SendAsync(ChunkFrames.Create(root, data, (uint)i), cancellationToken);
        }

        var answer = await session.RequestAsync(new Envelope { ChunkRequest = new ChunkRequest { Root = root } }, cancellationToken);
        var seconds = sw.Elapsed.TotalSeconds;
        if (answer.BodyCase != Envelope.BodyOneofCase.ChunkData || answer.ChunkData.Data.Length != 8)
        {
            throw new InvalidOperationException($"session: the sink answered the count request with {answer.BodyCase}");
        }

        var received = BitConverter.ToInt64(answer.ChunkData.Data.Span);
        if (received != count * data.Length)
        {
            throw new InvalidOperationException($"session: sink received {received} of {count * data.Length} payload bytes");
        }

        return (received, seconds);
    }
}
