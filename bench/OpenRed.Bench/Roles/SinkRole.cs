using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Google.Protobuf;
using OpenRed.Bench.Infra;
using OpenRed.Core.Mesh;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Bench.Roles;

/// <summary>
/// The receiving end of the throughput benchmark. Session: counts ChunkData payload bytes, and answers a ChunkRequest
/// with the count so far (ChunkData: index = frames, data = 8-byte little-endian bytes) and resets it; the request
/// is dispatched after every notification before it, so the answer covers them all. Plain TCP: reads to end of
/// stream, then writes back the 8-byte count.
/// </summary>
internal static class SinkRole
{
    private const int ReadBuffer = 1 << 20;

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        // --receive overlapped: the session reads the socket in a stage of its own while the last frame is decrypted.
        var overlapped = args.String("--receive", "single") == "overlapped";
        var options = ResponderRole.OpenGates(MeshOptions.Default);
        options = options with { Session = options.Session with { OverlapDecryption = overlapped } };
        long bytes = 0, frames = 0;
        var gcMark = GcSnapshot.Now();
        await using var mesh = BareMesh.Start("sink", options, m =>
        {
            m.Handle(Envelope.BodyOneofCase.ChunkData, (_, envelope, _) =>
            {
                Interlocked.Add(ref bytes, envelope.ChunkData.Data.Length);
                Interlocked.Increment(ref frames);
                return ValueTask.CompletedTask;
            });
            m.Handle(Envelope.BodyOneofCase.ChunkRequest, async (session, request, token) =>
            {
                // Each answer closes one measurement: report the sink's garbage collections during it.
                var gcNow = GcSnapshot.Now();
                RoleIO.Emit("gc", gcNow.Since(gcMark));
                gcMark = gcNow;
                var b = Interlocked.Exchange(ref bytes, 0);
                var f = Interlocked.Exchange(ref frames, 0);
                await session.ReplyAsync(request, new Envelope
                {
                    ChunkData = new ChunkData { Root = request.ChunkRequest.Root, Index = (uint)f, Data = ByteString.CopyFrom(BitConverter.GetBytes(b)) },
                }, token);
            });
        });

        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        tcp.Listen(16);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var plain = ServePlainAsync(tcp, stop.Token);

        RoleIO.Emit("ready", new JsonObject { ["tcp_port"] = ((IPEndPoint)tcp.LocalEndPoint!).Port, ["session_port"] = mesh.Port });
        await RoleIO.NextCommandAsync(TimeSpan.FromMinutes(30), cancellationToken);
        await stop.CancelAsync();
        tcp.Close();
        await plain.ContinueWith(static _ => { }, TaskScheduler.Default);
        RoleIO.Emit("stopped", new JsonObject { ["peak_rss_kib"] = ProcInfo.PeakRssKiB() });
        return 0;
    }

    private static async Task ServePlainAsync(Socket listener, CancellationToken cancellationToken)
    {
        var buffer = new byte[ReadBuffer];
        while (!cancellationToken.IsCancellationRequested)
        {
            using var socket = await listener.AcceptAsync(cancellationToken);
            socket.NoDelay = true;
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            long total = 0;
            int n;
            while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += n;
            }

            await stream.WriteAsync(BitConverter.GetBytes(total), cancellationToken);
            socket.Shutdown(SocketShutdown.Send);
        }
    }
}
