using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace OpenRed.IntegrationTests.Lab;

/// <summary>
/// A private LAN of hosts (network namespaces on Linux bridges) built by scripts/lab.sh, for scenario tests.
/// Host i is numbered from 1, has hostname <c>host{i}</c> and interfaces <c>eth0</c>, <c>eth1</c>...
/// Always use <c>await using</c>: dispose kills every process started in the lab and removes it. If the test
/// process dies without disposing, the lab notices and removes itself within about a second.
/// </summary>
public sealed partial class NetworkLab : IAsyncDisposable
{
    /// <summary>Environment variable carried by every process of a lab (value: <see cref="Id"/>).</summary>
    public const string IdVariable = "OPENRED_LAB_ID";

    private static readonly TimeSpan s_scriptTimeout = TimeSpan.FromSeconds(60);

    private readonly string _directory;
    private readonly IReadOnlyList<IReadOnlyList<IPAddress>> _addresses;
    private readonly List<Process> _processes = [];
    private readonly Lock _gate = new();
    private bool _disposed;

    private NetworkLab(string id, string directory, LabOptions options, IReadOnlyList<IReadOnlyList<IPAddress>> addresses)
    {
        Id = id;
        _directory = directory;
        Options = options;
        _addresses = addresses;
    }

    /// <summary>True where the lab can run (Linux with namespaces, bridge and veth, and the tools).</summary>
    public static bool IsSupported => LabScript.Support.CanRun;

    /// <summary>Why the lab cannot run here, or null.</summary>
    public static string? UnsupportedReason => LabScript.Support.Reason;

    /// <summary>True where tc netem works inside the lab (needs the kernel's sch_netem).</summary>
    public static bool NetemSupported => LabScript.Support.Netem;

    /// <summary>lab.sh's one-line netem report ("netem: yes" or "netem: no (why)").</summary>
    public static string NetemReport => LabScript.Support.NetemReport;

    /// <summary>Unique per lab; also set as <see cref="IdVariable"/> in the environment of all its processes.</summary>
    public string Id { get; }

    public LabOptions Options { get; }

    public int HostCount => _addresses.Count;

    /// <summary>The lab's state directory (what lab.sh calls --dir); handy for running lab.sh by hand.</summary>
    public string StateDirectory => _directory;

    /// <summary>Brings up a lab; throws <see cref="InvalidOperationException"/> with lab.sh's message if it cannot.</summary>
    public static async Task<NetworkLab> StartAsync(LabOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!IsSupported)
        {
            throw new InvalidOperationException("network lab unavailable: " + UnsupportedReason);
        }

        var id = Guid.NewGuid().ToString("N")[..12];
        var directory = Path.Combine(Path.GetTempPath(), "openred-lab-" + id);
        List<string> up = ["--dir", directory, "up", "--owner", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)];
        if (options.Links is { Count: > 0 } links)
        {
            up.AddRange(["--links", string.Join(',', links)]);
        }
        else
        {
            up.AddRange(["--hosts", options.Hosts.ToString(CultureInfo.InvariantCulture)]);
            up.AddRange(["--topology", options.Topology == LabTopology.Spider ? "spider" : "flat"]);
        }

        var info = LabScript.StartInfo(up);
        info.Environment[IdVariable] = id;
        var result = await LabScript.RunAsync(info, s_scriptTimeout, cancellationToken);
        if (result.ExitCode != 0)
        {
            // up has already torn down what it built (trap); only the empty directory may remain
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            throw new InvalidOperationException("lab.sh up failed: " + result);
        }

        try
        {
            var status = await RunScriptAsync(directory, ["status"], cancellationToken);
            return new NetworkLab(id, directory, options, ParseAddresses(status.StandardOutput));
        }
        catch
        {
            await RunScriptAsync(directory, ["down"], CancellationToken.None);
            throw;
        }
    }

    /// <summary>Host <paramref name="host"/>'s IPv4 address on interface eth<paramref name="leg"/>.</summary>
    public IPAddress AddressOf(int host, int leg = 0)
    {
        var legs = LegsOf(host);
        ArgumentOutOfRangeException.ThrowIfNegative(leg);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leg, legs.Count);
        return legs[leg];
    }

    /// <summary>How many interfaces (bridges) host <paramref name="host"/> has.</summary>
    public int LegCount(int host) => LegsOf(host).Count;

    public static string InterfaceName(int leg) => "eth" + leg.ToString(CultureInfo.InvariantCulture);

    public static string HostName(int host) => "host" + host.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Starts a process in host <paramref name="host"/> with stdin, stdout and stderr redirected (read both
    /// outputs, or a chatty process blocks on a full pipe). The lab owns it: dispose kills it.
    /// </summary>
    public Process Start(
        int host,
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null)
    {
        var info = ExecInfo(host, fileName, arguments, environment, workingDirectory);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + fileName);
            _processes.Add(process);
            return process;
        }
    }

    /// <summary>Runs a command in host <paramref name="host"/> to completion (stdin closed).</summary>
    public async Task<LabCommandResult> RunAsync(
        int host, string fileName, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return await LabScript.RunAsync(ExecInfo(host, fileName, arguments, null, null), timeout, cancellationToken);
    }

    /// <summary>Unplugs host <paramref name="host"/>'s cable on eth0 (the host sees NO-CARRIER; its address stays).</summary>
    public Task LinkDownAsync(int host, CancellationToken cancellationToken) => LinkDownAsync(host, 0, cancellationToken);

    public Task LinkDownAsync(int host, int leg, CancellationToken cancellationToken) => SetLinkAsync(host, leg, "down", cancellationToken);

    public Task LinkUpAsync(int host, CancellationToken cancellationToken) => LinkUpAsync(host, 0, cancellationToken);

    public Task LinkUpAsync(int host, int leg, CancellationToken cancellationToken) => SetLinkAsync(host, leg, "up", cancellationToken);

    /// <summary>
    /// Applies tc netem to packets leaving host <paramref name="host"/> on eth0, e.g. "delay 50ms loss 10%".
    /// Throws <see cref="NotSupportedException"/> where the kernel has no netem (see <see cref="NetemSupported"/>).
    /// </summary>
    public Task SetNetemAsync(int host, string parameters, CancellationToken cancellationToken) => SetNetemAsync(host, 0, parameters, cancellationToken);

    public async Task SetNetemAsync(int host, int leg, string parameters, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(parameters);
        List<string> args = ["netem", Num(host), "--leg", Num(leg)];
        args.AddRange(parameters.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var result = await ScriptAsync(args, cancellationToken);
        if (result.ExitCode == LabScript.NetemUnsupportedExitCode)
        {
            throw new NotSupportedException(result.StandardError.Trim());
        }

        EnsureSuccess(result, "netem");
    }

    public Task ClearNetemAsync(int host, CancellationToken cancellationToken) => ClearNetemAsync(host, 0, cancellationToken);

    public async Task ClearNetemAsync(int host, int leg, CancellationToken cancellationToken)
    {
        var result = await ScriptAsync(["netem", Num(host), "--leg", Num(leg), "clear"], cancellationToken);
        if (result.ExitCode != LabScript.NetemUnsupportedExitCode)
        {
            EnsureSuccess(result, "netem clear");
        }
    }

    /// <summary>Kills every process in host <paramref name="host"/> (the host vanishes; its namespace stays).</summary>
    public async Task KillHostProcessesAsync(int host, CancellationToken cancellationToken)
    {
        LegsOf(host);
        EnsureSuccess(await ScriptAsync(["kill", Num(host)], cancellationToken), "kill");
    }

    /// <summary>The processes the lab itself keeps alive, by role (outer, init, holderN, parentN).</summary>
    public async Task<IReadOnlyDictionary<string, int>> GetLabProcessIdsAsync(CancellationToken cancellationToken)
    {
        var result = await ScriptAsync(["pids"], cancellationToken);
        EnsureSuccess(result, "pids");
        return result.StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        Process[] processes;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            processes = [.. _processes];
            _processes.Clear();
        }

        foreach (var process in processes)
        {
            LabScript.KillTree(process);
        }

        // down kills whatever is left: everything started in the lab lives in its pid namespace
        var down = await RunScriptAsync(_directory, ["down"], CancellationToken.None);
        foreach (var process in processes)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or InvalidOperationException)
            {
                // disposed by its user, or a stuck pipe reader; down has already killed it
            }

            process.Dispose();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        EnsureSuccess(down, "down");
    }

    private ProcessStartInfo ExecInfo(
        int host,
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment,
        string? workingDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(arguments);
        LegsOf(host);
        var info = LabScript.StartInfo(["--dir", _directory, "exec", Num(host), "--", fileName, .. arguments]);
        info.Environment[IdVariable] = Id;
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[name] = value;
        }

        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        return info;
    }

    private async Task SetLinkAsync(int host, int leg, string state, CancellationToken cancellationToken)
    {
        AddressOf(host, leg);
        EnsureSuccess(await ScriptAsync(["link", Num(host), state, Num(leg)], cancellationToken), "link " + state);
    }

    private IReadOnlyList<IPAddress> LegsOf(int host)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(host, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(host, HostCount);
        return _addresses[host - 1];
    }

    private Task<LabCommandResult> ScriptAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return RunScriptAsync(_directory, arguments, cancellationToken);
    }

    private static Task<LabCommandResult> RunScriptAsync(string directory, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        LabScript.RunAsync(LabScript.StartInfo(["--dir", directory, .. arguments]), s_scriptTimeout, cancellationToken);

    private static void EnsureSuccess(LabCommandResult result, string what)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"lab.sh {what} failed: {result}");
        }
    }

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    // status prints "hostI pid P: eth0=A (brB) eth1=A (brB)" per host
    private static List<IReadOnlyList<IPAddress>> ParseAddresses(string status)
    {
        var hosts = new List<IReadOnlyList<IPAddress>>();
        foreach (var line in status.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith("host", StringComparison.Ordinal))
            {
                continue;
            }

            hosts.Add([.. LegPattern().Matches(line).Select(m => IPAddress.Parse(m.Groups[1].Value))]);
        }

        return hosts.Count > 0 ? hosts : throw new InvalidOperationException("lab.sh status listed no hosts: " + status);
    }

    [GeneratedRegex(@"eth\d+=(\S+)")]
    private static partial Regex LegPattern();
}
