using System.Diagnostics;
using System.Text.Json;
using OpenRed.IntegrationTests.Cli;

namespace OpenRed.IntegrationTests.Node;

/// <summary>
/// Starting real <c>openred</c> processes for discovery and session tests, and reading their <c>--json</c> commands.
/// Each test takes its own lighthouse port, so that nodes of tests running at the same time never hear each other.
/// </summary>
internal static class NodeCli
{
    /// <summary>A UDP port for one test's lighthouse, below the ephemeral range so no system-chosen port collides.</summary>
    public static int NewLighthousePort() => Random.Shared.Next(20000, 32000);

    /// <summary>A node without lighthouse on <paramref name="port"/> (0: the system's choice); returns when it answers.</summary>
    public static Task<OpenRedProcess> StartAsync(string dataDir, string nodeId, int port = 0, params string[] extraArgs) =>
        StartAndWaitAsync(["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-lighthouse",
            "--data-dir", dataDir, "--node-id", nodeId, .. extraArgs]);

    /// <summary>A node with the lighthouse on loopback only, on <paramref name="lighthousePort"/>; returns when it answers.</summary>
    public static Task<OpenRedProcess> StartWithLighthouseAsync(
        string dataDir, string nodeId, int lighthousePort, int beaconIntervalSeconds, params string[] extraArgs)
        => StartAndWaitAsync([
            "--port", "0", "--data-dir", dataDir, "--node-id", nodeId,
            "--interface", "127.0.0.1", "--lighthouse-port", lighthousePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--beacon-interval", beaconIntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. extraArgs]);

    private static async Task<OpenRedProcess> StartAndWaitAsync(string[] args)
    {
        var p = OpenRedProcess.Start(args);
        try
        {
            await p.CommandJsonAsync("status");
            return p;
        }
        catch
        {
            await p.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <c>&lt;command&gt; --json</c> until <paramref name="until"/> holds; throws with the last answer at the deadline.</summary>
    public static async Task<JsonElement> PollAsync(OpenRedProcess p, string command, Func<JsonElement, bool> until, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var doc = await p.CommandJsonAsync(command);
            if (until(doc))
            {
                return doc;
            }

            if (clock.Elapsed > deadline)
            {
                throw new TimeoutException($"'{command}' did not reach the expected state within {deadline.TotalSeconds} s; last:\n{doc}\n{p.Describe()}");
            }

            await Task.Delay(150);
        }
    }

    public static async Task<string> FingerprintAsync(OpenRedProcess p) =>
        (await p.CommandJsonAsync("status")).GetProperty("fingerprint").GetString()!;

    public static async Task<int> TcpPortAsync(OpenRedProcess p) =>
        (await p.CommandJsonAsync("status")).GetProperty("tcp_port").GetInt32();

    /// <summary>The fingerprints in a <c>map --json</c> document's peers.</summary>
    public static IReadOnlyList<string> MapPeers(JsonElement map) =>
        [.. map.GetProperty("peers").EnumerateArray().Select(p => p.GetProperty("fingerprint").GetString()!)];

    public static JsonElement[] Sessions(JsonElement peers) => [.. peers.GetProperty("sessions").EnumerateArray()];

    /// <summary>Sends quit and waits for a clean exit.</summary>
    public static async Task QuitAsync(OpenRedProcess p)
    {
        await p.WriteLineAsync("quit");
        var code = await p.WaitForExitAsync(TimeSpan.FromSeconds(20));
        code.Should().Be(0, p.Describe());
    }
}
