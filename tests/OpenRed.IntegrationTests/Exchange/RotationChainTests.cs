using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core;
using OpenRed.Core.Exchange;
using OpenRed.Core.Identity;
using OpenRed.Core.Peers;
using OpenRed.IntegrationTests.Cli;

namespace OpenRed.IntegrationTests.Exchange;

/// <summary>
/// Session rotation on whole nodes (real sockets, real SQLite) in this process: a chain whose target is far below
/// its size, so that without rotation each node would stop at its first sessions and know about two hops.
/// Intervals are shortened (rotation every half second, lists every two seconds); the rules are the defaults'.
/// </summary>
public sealed class RotationChainTests
{
    private const int Nodes = 6;
    // Three, not two: a node's session to its --bootstrap address is never rotated and the next node's session to it
    // is inbound, so at two a chain node would have nothing it may rotate.
    private const int Target = 3;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ChainOfSix_TargetThree_EveryNodeKnowsEveryOther_AndEachHoldsItsTarget()
    {
        using var tmp = new TempDirectory();
        var nodes = new List<OpenRedNode>();
        try
        {
            for (var i = 0; i < Nodes; i++)
            {
                nodes.Add(await Start(tmp, "r" + i, i == 0 ? null : nodes[i - 1].Port));
            }

            var all = nodes.Select(n => n.Fingerprint).ToList();
            await UntilAsync(nodes, () => nodes.All(n => Known(n).IsSupersetOf(all.Where(f => f != n.Fingerprint)) && n.Mesh.Sessions.Count >= Target));

            foreach (var n in nodes)
            {
                Known(n).Should().NotContain(n.Fingerprint, "a node never lists itself");
            }

            // Not asserted: whether a rotation was needed. On an idle machine the inbound sessions of the first
            // seconds already carry every list far enough (seen: 2 s, no rotation); on a loaded one rotation does
            // the rest. Its rules are tested on a fake clock in SessionRotationTests.
        }
        finally
        {
            foreach (var n in nodes)
            {
                await n.DisposeAsync();
            }
        }
    }

    // Like Eventually.True, but a timeout says where each node stood.
    private static async Task UntilAsync(List<OpenRedNode> nodes, Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                var states = nodes.Select(n =>
                    $"{n.NodeId}: knows {Known(n).Count}, {n.Mesh.Sessions.Count} sessions, rotations {Section(n, "dialling")["rotations"]}, new {Section(n, "dialling")["new_candidates"]}");
                throw new TimeoutException($"not within {Deadline}: " + string.Join("; ", states));
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Every other node this node can name: in a session, or known from its directory.</summary>
    private static HashSet<Fingerprint> Known(OpenRedNode node)
    {
        var view = node.GetConstellation();
        return [.. view.Peers.Select(p => p.Fingerprint).Concat(view.Known.Select(k => k.Fingerprint))];
    }

    private static IReadOnlyDictionary<string, object?> Section(OpenRedNode node, string name) =>
        node.GetStatus().Sections.Single(s => s.Name == name).Json;

    private static Task<OpenRedNode> Start(TempDirectory tmp, string nodeId, int? bootstrapPort) =>
        OpenRedNode.StartAsync(
            new NodeOptions
            {
                NodeId = nodeId,
                DataDirectory = Path.Combine(tmp.Path, nodeId),
                Port = 0,
                ListenAddress = IPAddress.Loopback,
                LighthouseEnabled = false,
                Bootstrap = bootstrapPort is { } p ? [new DnsEndPoint("127.0.0.1", p)] : [],
                Peers = PeerOptions.Default with
                {
                    TargetSessions = Target, RotateEvery = TimeSpan.FromMilliseconds(500), BackoffMax = TimeSpan.FromSeconds(1),
                },
                Exchange = ExchangeOptions.Default with { Interval = TimeSpan.FromSeconds(2), ReceiveTolerance = TimeSpan.FromSeconds(1) },
            },
            NullLoggerFactory.Instance,
            TimeProvider.System,
            CancellationToken.None);
}
