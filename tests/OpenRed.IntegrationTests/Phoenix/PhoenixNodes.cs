using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core;
using OpenRed.Core.Phoenix;
using OpenRed.IntegrationTests.Cli;

namespace OpenRed.IntegrationTests.Phoenix;

/// <summary>Real nodes in this process, on loopback, with Phoenix's intervals shortened for tests.</summary>
internal static class PhoenixNodes
{
    public static readonly PhoenixOptions Fast = PhoenixOptions.Default with
    {
        MaintenanceInterval = TimeSpan.FromSeconds(1),
        HopTime = TimeSpan.FromMilliseconds(300),
        AutoResurrectFirstDelay = TimeSpan.FromMilliseconds(200),
        AutoResurrectMaxDelay = TimeSpan.FromSeconds(1),
        ReplicationWait = TimeSpan.FromSeconds(15),
    };

    public static Task<OpenRedNode> StartAsync(TempDirectory tmp, string nodeId, int replicas = 3, IReadOnlyList<string>? autoResurrect = null) =>
        OpenRedNode.StartAsync(
            new NodeOptions
            {
                NodeId = nodeId,
                DataDirectory = tmp.Sub(nodeId),
                Port = 0,
                ListenAddress = IPAddress.Loopback,
                LighthouseEnabled = false,
                Replicas = replicas,
                Phoenix = Fast,
                AutoResurrect = autoResurrect ?? [],
            },
            NullLoggerFactory.Instance,
            TimeProvider.System,
            CancellationToken.None);

    public static Task ConnectAsync(OpenRedNode from, OpenRedNode to) =>
        from.ConnectAsync("127.0.0.1", to.Port, to.Fingerprint, CancellationToken.None);

    public static async Task FullMeshAsync(params OpenRedNode[] nodes)
    {
        for (var i = 0; i < nodes.Length; i++)
        {
            for (var j = i + 1; j < nodes.Length; j++)
            {
                await ConnectAsync(nodes[i], nodes[j]);
            }
        }
    }

    public static string WriteFile(TempDirectory tmp, string name, int size, out byte[] content)
    {
        content = RandomNumberGenerator.GetBytes(size);
        var path = tmp.Sub(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>The node's URN of that name, when it holds all its chunks.</summary>
    public static UrnEntry? Holding(OpenRedNode node, string name) =>
        node.Phoenix.ListUrns().FirstOrDefault(u => u.Name == name && u.ChunksHeld == u.ChunkCount);
}
