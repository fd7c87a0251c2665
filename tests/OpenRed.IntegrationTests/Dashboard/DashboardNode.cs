using System.Globalization;
using OpenRed.IntegrationTests.Cli;
using OpenRed.IntegrationTests.Node;

namespace OpenRed.IntegrationTests.Dashboard;

/// <summary>A real node started with <c>--web 127.0.0.1:0</c>, and the dashboard link it printed.</summary>
internal sealed class DashboardNode : IAsyncDisposable
{
    private DashboardNode(OpenRedProcess process, string nodeId, Uri link)
    {
        Process = process;
        NodeId = nodeId;
        Link = link;
    }

    public OpenRedProcess Process { get; }

    public string NodeId { get; }

    /// <summary>The printed link, token included: <c>http://127.0.0.1:port/?token=…</c>.</summary>
    public Uri Link { get; }

    /// <summary>The dashboard without the token: <c>http://127.0.0.1:port/</c>.</summary>
    public Uri Root => new(Link.GetLeftPart(UriPartial.Authority) + "/");

    public static Task<DashboardNode> StartAsync(string dataDir, string nodeId) => StartAsync(dataDir, nodeId, "127.0.0.1:0");

    /// <summary>A node whose dashboard listens on <paramref name="web"/> (a fixed port, for a restart on the same address).</summary>
    public static async Task<DashboardNode> StartAsync(string dataDir, string nodeId, string web)
    {
        var process = await NodeCli.StartAsync(dataDir, nodeId, 0, ["--web", web]);
        try
        {
            var line = await process.WaitForStdoutAsync(l => l.StartsWith("dashboard: ", StringComparison.Ordinal), DashboardBrowser.Deadline);
            return new DashboardNode(process, nodeId, new Uri(line["dashboard: ".Length..].Trim()));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>A node without dashboard, for the peers of the one a test looks at.</summary>
    public static Task<OpenRedProcess> StartPlainAsync(string dataDir, string nodeId) => NodeCli.StartAsync(dataDir, nodeId);

    public async Task ConnectToAsync(OpenRedProcess other)
    {
        var port = await NodeCli.TcpPortAsync(other);
        var fingerprint = await NodeCli.FingerprintAsync(other);
        await Process.CommandJsonAsync($"connect 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)} --expect {fingerprint}");
    }

    /// <summary>A loopback TCP port free now, for a dashboard that must come back on the same address.</summary>
    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
