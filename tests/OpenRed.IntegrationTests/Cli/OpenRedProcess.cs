using System.Diagnostics;
using System.Text.Json;

namespace OpenRed.IntegrationTests.Cli;

/// <summary>
/// The real <c>openred</c> executable run as a child process, with stdin piped (so: no prompt, plain output),
/// stdout and stderr collected line by line. Waits are event-driven with timeouts; dispose kills what is left.
/// </summary>
/// <example>
/// <code>
/// await using var node = await OpenRedProcess.StartNodeAsync(dir.Sub("alice"), "--node-id", "alice");
/// var status = await node.CommandJsonAsync("status");
/// var port = status.GetProperty("tcp_port").GetInt32();
/// </code>
/// </example>
public sealed class OpenRedProcess : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly List<Waiter> _waiters = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OpenRedProcess(Process process, IReadOnlyList<string> arguments)
    {
        _process = process;
        Arguments = arguments;
    }

    public IReadOnlyList<string> Arguments { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> StdoutLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _stdout];
            }
        }
    }

    public IReadOnlyList<string> StderrLines
    {
        get
        {
            lock (_gate)
            {
                return [.. _stderr];
            }
        }
    }

    /// <summary>The directory holding <c>openred.dll</c> (copied next to the tests by the project reference).</summary>
    public static string ExecutableDirectory => AppContext.BaseDirectory;

    /// <summary>Starts <c>openred</c> with exactly <paramref name="args"/>.</summary>
    public static OpenRedProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var arguments = args.ToList();
        var dll = Path.Combine(ExecutableDirectory, "openred.dll");
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ExecutableDirectory,
        };
        info.ArgumentList.Add(dll);
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var result = new OpenRedProcess(process, arguments);
        process.OutputDataReceived += (_, e) => result.OnLine(e.Data, result._stdout, result._stdoutClosed, isStdout: true);
        process.ErrorDataReceived += (_, e) => result.OnLine(e.Data, result._stderr, result._stderrClosed, isStdout: false);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    public static OpenRedProcess Start(params string[] args) => Start((IEnumerable<string>)args);

    /// <summary>Runs <c>openred</c> to the end: writes <paramref name="stdin"/>, closes it, waits for the exit.</summary>
    public static async Task<OpenRedRun> RunAsync(
        IEnumerable<string> args,
        string? stdin = null,
        TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        await using var p = Start(args, environment);
        if (stdin is not null)
        {
            await p._process.StandardInput.WriteAsync(stdin);
        }

        p.CloseInput();
        var code = await p.WaitForExitAsync(timeout);
        return new OpenRedRun(code, p.StdoutLines, p.StderrLines);
    }

    /// <summary>
    /// Starts a node on <paramref name="dataDir"/> with a system-chosen port and no lighthouse (plus
    /// <paramref name="extraArgs"/>), and returns once it answers <c>status --json</c>.
    /// </summary>
    public static async Task<OpenRedProcess> StartNodeAsync(string dataDir, params string[] extraArgs)
    {
        var p = Start(["--port", "0", "--no-lighthouse", "--data-dir", dataDir, .. extraArgs]);
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

    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>End of input: without --daemon the node quits.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Sends <c>&lt;command&gt; --json</c> and returns the JSON line it prints.</summary>
    public async Task<JsonElement> CommandJsonAsync(string command, TimeSpan? timeout = null)
    {
        int seen;
        lock (_gate)
        {
            seen = _stdout.Count;
        }

        await WriteLineAsync(command + " --json");
        var line = await WaitForStdoutAsync(l => l.StartsWith('{'), timeout, skip: seen);
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.Clone();
    }

    /// <summary>The first stdout line (after the first <paramref name="skip"/> lines) that matches.</summary>
    public Task<string> WaitForStdoutAsync(Func<string, bool> match, TimeSpan? timeout = null, int skip = 0) =>
        WaitForLineAsync(_stdout, isStdout: true, match, timeout, skip);

    public Task<string> WaitForStderrAsync(Func<string, bool> match, TimeSpan? timeout = null, int skip = 0) =>
        WaitForLineAsync(_stderr, isStdout: false, match, timeout, skip);

    /// <summary>Waits for the exit and for all output; on timeout kills the process and throws with what it printed.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout ?? DefaultTimeout);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"openred {string.Join(' ', Arguments)} did not exit in time\n{Describe()}");
        }

        return _process.ExitCode;
    }

    /// <summary>Sends a signal by name (TERM, INT, KILL) through kill(1).</summary>
    public void Signal(string name = "TERM")
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + name, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        })!;
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{name} {Id} failed with {kill.ExitCode}");
        }
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    /// <summary>What the process printed so far, for assertion messages.</summary>
    public string Describe()
    {
        lock (_gate)
        {
            return $"--- stdout\n{string.Join('\n', _stdout)}\n--- stderr\n{string.Join('\n', _stderr)}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // Nothing more we can do; the test already has its answer.
        }

        _process.Dispose();
    }

    private static string DotnetHost()
    {
        // dotnet test sets DOTNET_HOST_PATH to the muxer that runs us; fall back to PATH.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    private async Task<string> WaitForLineAsync(List<string> lines, bool isStdout, Func<string, bool> match, TimeSpan? timeout, int skip)
    {
        Waiter waiter;
        lock (_gate)
        {
            var found = lines.Skip(skip).FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            waiter = new Waiter(isStdout, match);
            _waiters.Add(waiter);
        }

        var closed = isStdout ? _stdoutClosed.Task : _stderrClosed.Task;
        try
        {
            var first = await Task.WhenAny(waiter.Line.Task, closed).WaitAsync(timeout ?? DefaultTimeout);
            if (first != waiter.Line.Task)
            {
                throw new InvalidOperationException(
                    $"openred exited ({(HasExited ? _process.ExitCode : -1)}) before printing the expected line\n{Describe()}");
            }

            return await waiter.Line.Task;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"openred did not print the expected line in time\n{Describe()}");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    private void OnLine(string? line, List<string> lines, TaskCompletionSource closed, bool isStdout)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        lock (_gate)
        {
            lines.Add(line);
            foreach (var w in _waiters.Where(w => w.IsStdout == isStdout && w.Match(line)))
            {
                w.Line.TrySetResult(line);
            }
        }
    }

    private sealed record Waiter(bool IsStdout, Func<string, bool> Match)
    {
        public TaskCompletionSource<string> Line { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
