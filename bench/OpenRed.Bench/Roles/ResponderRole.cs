using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Bench.Infra;
using OpenRed.Bench.Scenarios;
using OpenRed.Core;
using OpenRed.Core.Identity;
using OpenRed.Core.Mesh;
using OpenRed.Core.Security;

namespace OpenRed.Bench.Roles;

/// <summary>
/// The responder of the handshake benchmark, meant to run pinned to one core: measures the crypto limit on that core,
/// then accepts handshakes as a whole node (<c>--mode node</c>: link store in SQLite) or a bare mesh (<c>--mode mesh</c>).
/// </summary>
internal static class ResponderRole
{
    /// <summary>The defaults protect users from floods; the benchmark is the flood, so every gate is opened wide.</summary>
    public static MeshOptions OpenGates(MeshOptions m) => m with
    {
        MaxSessions = 100_000,
        MaxInboundSessionsPerPrefix = 100_000,
        MaxHandshakesInProgress = 4096,
        MaxHandshakesPerAddress = 4096,
        MaxHandshakesPerPrefix = 4096,
        InboundPerAddressRate = 1e6,
        InboundPerAddressBurst = 1_000_000,
        InboundGlobalRate = 1e6,
        InboundGlobalBurst = 1_000_000,
    };

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var mode = args.String("--mode", "node");
        var cryptoSeconds = args.Number("--crypto-seconds", 0.5, 0.05, 30);
        var crypto = CryptoCost.Measure(TimeSpan.FromSeconds(cryptoSeconds), TimeSpan.FromSeconds(args.Number("--crypto-warmup", 3, 0, 60)));

        var dir = Directory.CreateTempSubdirectory("openred-bench-responder-");
        try
        {
            MeshService mesh;
            int port;
            Fingerprint fingerprint;
            IAsyncDisposable owner;
            if (mode == "node")
            {
                var node = await OpenRedNode.StartAsync(
                    new NodeOptions
                    {
                        NodeId = "responder",
                        DataDirectory = dir.FullName,
                        Port = 0,
                        ListenAddress = IPAddress.Loopback,
                        LighthouseEnabled = false,
                        MaxPeers = 100_000,
                        Mesh = OpenGates(MeshOptions.Default),
                    },
                    NullLoggerFactory.Instance, TimeProvider.System, cancellationToken);
                (mesh, port, fingerprint, owner) = (node.Mesh, node.Port, node.Fingerprint, node);
            }
            else
            {
                var bare = BareMesh.Start("responder", OpenGates(MeshOptions.Default));
                (mesh, port, fingerprint, owner) = (bare.Mesh, bare.Port, bare.Keys.Fingerprint, bare);
            }

            await using (owner)
            {
                RoleIO.Emit("ready", new JsonObject
                {
                    ["port"] = port,
                    ["fingerprint"] = fingerprint.Hex,
                    ["processors"] = Environment.ProcessorCount,
                    ["crypto"] = crypto.ToJson(),
                });
                await RoleIO.NextCommandAsync(TimeSpan.FromMinutes(10), cancellationToken);
                RoleIO.Emit("stopped", new JsonObject
                {
                    ["handshakes_completed"] = mesh.Counters.HandshakesCompleted,
                    ["handshakes_failed"] = mesh.Counters.HandshakesFailed,
                    ["connections_refused"] = mesh.Counters.ConnectionsRefused,
                    ["peak_rss_kib"] = ProcInfo.PeakRssKiB(),
                    ["heap_full_gc_mib"] = GC.GetTotalMemory(forceFullCollection: true) / 1048576.0,
                });
            }
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
}

/// <summary>A <see cref="MeshService"/> with a listening socket on 127.0.0.1 and no database, as the mesh tests use it.</summary>
internal sealed class BareMesh : IAsyncDisposable
{
    private readonly Socket _listener;

    private BareMesh(string nodeId, MeshOptions options, bool listen, Action<MeshService>? register)
    {
        Keys = NodeIdentity.Generate();
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (listen)
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(1024);
            Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        }

        Mesh = new MeshService(new LocalIdentity(Keys, nodeId, "general", Port), options, null, TimeProvider.System, NullLoggerFactory.Instance);
        register?.Invoke(Mesh);
        if (listen)
        {
            Mesh.StartAccepting(cancellationToken => _listener.AcceptAsync(cancellationToken));
        }
    }

    public NodeIdentity Keys { get; }

    public int Port { get; }

    public MeshService Mesh { get; }

    /// <summary>A listening mesh; <paramref name="register"/> adds handlers before it accepts (the router closes then).</summary>
    public static BareMesh Start(string nodeId, MeshOptions options, Action<MeshService>? register = null) => new(nodeId, options, listen: true, register);

    /// <summary>A mesh that only dials.</summary>
    public static BareMesh Dialer(string nodeId, MeshOptions options) => new(nodeId, options, listen: false, null);

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await Mesh.DisposeAsync();
        Keys.Dispose();
    }
}
