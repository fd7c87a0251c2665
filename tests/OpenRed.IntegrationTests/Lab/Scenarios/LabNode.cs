using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace OpenRed.IntegrationTests.Lab.Scenarios;

/// <summary>
/// The real <c>openred</c> executable running in one lab host, driven through its piped REPL. Answers are read as
/// <c>--json</c> lines (CONTRACT.md); the few commands without --json (<c>msg</c>) are matched on the one line
/// CLI.md fixes for them. The lab owns the process.
/// </summary>
internal sealed class LabNode
{
    public const int TcpPort = 8080;

    private readonly Process _process;
    private readonly ProcessLines _output;

    // One command at a time: each --json answer is one line, matched to the command that asked for it.
    private readonly SemaphoreSlim _gate = new(1, 1);

    private LabNode(int host, string nodeId, string sector, IPAddress address, Process process)
    {
        Host = host;
        NodeId = nodeId;
        Sector = sector;
        Address = address;
        _process = process;
        _output = ProcessLines.Attach(process);
    }

    public int Host { get; }

    public string NodeId { get; }

    public string Sector { get; }

    public IPAddress Address { get; }

    /// <summary>What the node wrote to stderr so far, for failure messages.</summary>
    public string StandardError => _output.StandardError;

    /// <summary>
    /// Starts <c>openred --node-id hN --port 8080 --interface ADDR --beacon-interval 1 --sector S</c> in host
    /// <paramref name="host"/>. Each lab host is its own network namespace, so the default lighthouse group
    /// and port cannot reach nodes of other labs or tests.
    /// </summary>
    public static LabNode Start(NetworkLab lab, int host, string sector, string dataDirectory, IEnumerable<string>? extraArgs = null)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var nodeId = "h" + host.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var address = lab.AddressOf(host);
        List<string> args =
        [
            Path.Combine(AppContext.BaseDirectory, "openred.dll"),
            "--node-id", nodeId,
            "--port", TcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--data-dir", dataDirectory,
            "--interface", address.ToString(),
            "--beacon-interval", "1",
            "--sector", sector,
            .. extraArgs ?? [],
        ];
        var environment = new Dictionary<string, string?>
        {
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        var process = lab.Start(host, DotnetHost(), args, environment, AppContext.BaseDirectory);
        return new LabNode(host, nodeId, sector, address, process);
    }

    public async Task<StatusView> StatusAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        StatusView.Parse(await CommandJsonAsync("status", "node_id", timeout, cancellationToken));

    public async Task<MapView> MapAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        MapView.Parse(await CommandJsonAsync("map", "self", timeout, cancellationToken));

    public async Task<PeersView> PeersAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        PeersView.Parse(await CommandJsonAsync("peers", "sessions", timeout, cancellationToken));

    /// <summary>
    /// Sends <c>&lt;command&gt; --json</c> and returns the one JSON line it prints. A JSON line without
    /// <paramref name="marker"/> (a late answer to an earlier command) is skipped.
    /// </summary>
    public async Task<JsonElement> CommandJsonAsync(string command, string marker, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await _process.StandardInput.WriteLineAsync(command + " --json");
            await _process.StandardInput.FlushAsync(cancellationToken);
            string line;
            try
            {
                line = await _output.WaitForLineAsync(l => IsAnswer(l, marker), timeout, cancellationToken);
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{NodeId} in host{Host}: no answer to '{command} --json' within {timeout}: {e.Message}", e);
            }

            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.Clone();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends <c>&lt;command&gt; --json</c> and returns the first JSON object line after it, whatever its fields.</summary>
    public async Task<JsonElement> CommandJsonAsync(string command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var line = await CommandAsync(command + " --json", l => IsAnswer(l, null), timeout, cancellationToken);
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.Clone();
    }

    /// <summary>
    /// Sends any command line as typed and returns the first line of output after it that <paramref name="answer"/>
    /// accepts; a command that fails prints on stderr, so its timeout names the command and the stderr so far.
    /// </summary>
    public async Task<string> CommandAsync(string line, Func<string, bool> answer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(answer);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await _process.StandardInput.WriteLineAsync(line);
            await _process.StandardInput.FlushAsync(cancellationToken);
            try
            {
                return await _output.WaitForLineAsync(answer, timeout, cancellationToken);
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{NodeId} in host{Host}: no answer to '{line}' within {timeout}: {e.Message}", e);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public override string ToString() => $"{NodeId} (host{Host}, {Address}, sector {Sector})";

    private static bool IsAnswer(string line, string? marker)
    {
        if (!line.StartsWith('{'))
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.ValueKind == JsonValueKind.Object && (marker is null || doc.RootElement.TryGetProperty(marker, out _));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string DotnetHost()
    {
        // dotnet test sets DOTNET_HOST_PATH to the muxer that runs us; the lab hosts share our file system.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
