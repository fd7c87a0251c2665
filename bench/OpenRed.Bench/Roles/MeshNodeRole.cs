using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Bench.Infra;
using OpenRed.Core;

namespace OpenRed.Bench.Roles;

/// <summary>
/// One node of the mesh-formation benchmark (issue 12): loads the runtime, says "ready", starts an
/// <see cref="OpenRedNode"/> without lighthouse on "go PORT" with <c>--bootstrap 127.0.0.1:PORT</c> (none for
/// "go 0"), says "started" with its port, and says "complete" once it knows every other node (sessions, links and
/// peer-exchange entries) and holds the target of sessions, or at its timeout, with the time each happened (null:
/// not within the timeout). Stops on "stop" with its handshake counters.
/// </summary>
internal static class MeshNodeRole
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(50);

    public static async Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var nodeId = args.String("--id") ?? throw new ArgumentException("--id is required");
        var dir = args.String("--dir") ?? throw new ArgumentException("--dir is required");
        var others = args.Int("--peers", 29, 1, 10_000);
        var sessionsWanted = args.Int("--sessions", 8, 1, 64);
        var timeout = TimeSpan.FromSeconds(args.Number("--timeout", 180, 1, 3600));

        RoleIO.Emit("ready", new JsonObject { ["t"] = WallClock.NowMs() });
        var go = await RoleIO.NextCommandAsync(TimeSpan.FromMinutes(10), cancellationToken);
        if (!go.StartsWith("go ", StringComparison.Ordinal))
        {
            return 0;
        }

        var bootstrapPort = int.Parse(go[3..], CultureInfo.InvariantCulture);
        var options = new NodeOptions
        {
            NodeId = nodeId,
            DataDirectory = dir,
            Port = 0,
            ListenAddress = IPAddress.Loopback,
            LighthouseEnabled = false,
            Bootstrap = bootstrapPort == 0 ? [] : [new DnsEndPoint("127.0.0.1", bootstrapPort)],

            // The N processes stand for N hosts but share 127.0.0.1: the cap of inbound sessions per remote /24 (8) would
            // treat them as one network and, once a node held 8 inbound sessions, refuse every later node (measured: the
            // last four nodes of a slow chain start formed an island). The node-wide inbound share still applies.
            Mesh = OpenRed.Core.Mesh.MeshOptions.Default with { MaxInboundSessionsPerPrefix = 1024 },
        };
        await using var node = await OpenRedNode.StartAsync(options, NullLoggerFactory.Instance, TimeProvider.System, cancellationToken);
        RoleIO.Emit("started", new JsonObject { ["t"] = WallClock.NowMs(), ["port"] = node.Port });

        // When it first held the sessions wanted, and when it first knew every other node; null if not within the timeout.
        // The timeout runs from "clock" (the last node has started), not from this node's start: on a loaded machine
        // starting the chain takes minutes, which would leave the first nodes almost no time after the clock starts.
        // Console.In reads synchronously: on its own thread, so that polling starts at once.
        var clock = Task.Run(() => RoleIO.NextCommandAsync(TimeSpan.FromMinutes(30), cancellationToken), cancellationToken);
        DateTime? until = null;
        double? tSessions = null;
        double? tKnown = null;
        long? handshakesAtClock = null;
        long? rotationsAtClock = null;
        var (known, sessions) = Count(node);
        while ((tKnown is null || tSessions is null) && (until is null || DateTime.UtcNow < until))
        {
            if (until is null && clock.IsCompleted)
            {
                until = DateTime.UtcNow + timeout;

                // What the chain's start cost this node, apart from what the measured window costs: on a loaded
                // machine starting 30 processes takes minutes, and a node pays for every peer that joins meanwhile.
                handshakesAtClock = Handshakes(node);
                rotationsAtClock = Rotations(node);
            }

            var now = WallClock.NowMs();
            tSessions ??= sessions >= sessionsWanted ? now : null;
            tKnown ??= known >= others ? now : null;
            if (tKnown is null || tSessions is null)
            {
                await Task.Delay(PollEvery, cancellationToken);
                (known, sessions) = Count(node);
            }
        }

        RoleIO.Emit("complete", new JsonObject
        {
            ["t_sessions"] = tSessions,
            ["t_known"] = tKnown,
            ["known"] = known,
            ["sessions"] = sessions,
            ["handshakes"] = Handshakes(node),
            ["rotations"] = Rotations(node),
            ["handshakes_at_clock"] = handshakesAtClock,
            ["rotations_at_clock"] = rotationsAtClock,
        });

        // "snap" (the settle option) reports the counters while the mesh is left alone; "stop" ends the run.
        while (await RoleIO.NextCommandAsync(TimeSpan.FromMinutes(15), cancellationToken) == "snap")
        {
            RoleIO.Emit("snap", new JsonObject { ["handshakes"] = Handshakes(node), ["rotations"] = Rotations(node) });
        }

        (known, sessions) = Count(node);
        var result = new JsonObject
        {
            ["known"] = known,
            ["sessions"] = sessions,
            ["handshakes"] = Handshakes(node),
            ["rotations"] = Rotations(node),
            ["handshakes_failed"] = node.Mesh.Counters.HandshakesFailed,
        };
        await node.DisposeAsync();
        result["peak_rss_kib"] = ProcInfo.PeakRssKiB();
        RoleIO.Emit("stopped", result);
        return 0;
    }

    /// <summary>Distinct other nodes the node can name (in a session or known from its directory), and its sessions.</summary>
    private static (int Known, int Sessions) Count(OpenRedNode node)
    {
        var view = node.GetConstellation();
        var known = view.Peers.Select(p => p.Fingerprint).Concat(view.Known.Select(k => k.Fingerprint)).Distinct().Count();
        return (known, view.Sessions.Count);
    }

    /// <summary>Sessions this node closed by session rotation so far.</summary>
    private static long Rotations(OpenRedNode node) =>
        node.GetStatus().Sections.FirstOrDefault(s => s.Name == "dialling")?.Json["rotations"] is long n ? n : 0;

    /// <summary>Handshakes this node took part in that produced a session, in either direction.</summary>
    private static long Handshakes(OpenRedNode node) => node.Mesh.Counters.HandshakesCompleted;
}
