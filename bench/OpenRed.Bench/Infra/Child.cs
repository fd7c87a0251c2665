using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace OpenRed.Bench.Infra;

/// <summary>
/// A role of this same executable run as a child process (optionally pinned to one core). It reports on stdout in
/// JSON lines (<see cref="RoleIO"/>) and takes one-word commands on stdin. Disposing kills it if it is still running.
/// </summary>
internal sealed class Child : IAsyncDisposable
{
    private const int StderrTailLines = 20;
    private readonly Process _process;
    private readonly Channel<JsonObject> _lines = Channel.CreateUnbounded<JsonObject>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Queue<string> _stderrTail = new();
    private readonly Task _stdout;

    private Child(Process process, string name, int? core)
    {
        _process = process;
        Name = name;
        Core = core;
        SpawnedAtMs = WallClock.NowMs();
        _stdout = PumpStdoutAsync();
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_stderrTail)
            {
                _stderrTail.Enqueue(e.Data);
                while (_stderrTail.Count > StderrTailLines)
                {
                    _stderrTail.Dequeue();
                }
            }
        };
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    /// <summary>The core it is pinned to, or null when it runs unpinned.</summary>
    public int? Core { get; }

    public int Pid => _process.Id;

    public double SpawnedAtMs { get; }

    /// <summary>Starts <c>dotnet OpenRed.Bench.dll ROLE ARGS</c>, under <c>taskset -c CORE</c> when a core is given and taskset exists.</summary>
    public static Child Start(string name, string role, IEnumerable<string> args, int? core = null)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        var pinned = core is not null && Taskset.Available;
        if (pinned)
        {
            psi.FileName = Taskset.Path!;
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(core!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            psi.ArgumentList.Add(SelfHost());
        }
        else
        {
            psi.FileName = SelfHost();
        }

        foreach (var a in SelfArguments().Append(role).Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        // Children must not inherit a tiered-compilation or GC setting by accident; they get the same as the parent.
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {name}");
        return new Child(process, name, pinned ? core : null);
    }

    /// <summary>Waits for the next line with <c>"event": <paramref name="name"/></c>; an <c>error</c> line or an exit throws.</summary>
    public Task<JsonObject> ExpectAsync(string name, TimeSpan timeout, CancellationToken cancellationToken) => ExpectAnyAsync([name], timeout, cancellationToken);

    /// <summary>Waits for the next line whose event is one of <paramref name="names"/>; other events are skipped.</summary>
    public async Task<JsonObject> ExpectAnyAsync(string[] names, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var name = string.Join("' or '", names);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (true)
            {
                if (!await _lines.Reader.WaitToReadAsync(limit.Token))
                {
                    throw new InvalidOperationException($"{Name} exited before '{name}'{StderrTail()}");
                }

                while (_lines.Reader.TryRead(out var line))
                {
                    var ev = (string?)line["event"];
                    if (ev == "error")
                    {
                        throw new InvalidOperationException($"{Name}: {(string?)line["message"]}{StderrTail()}");
                    }

                    if (ev is not null && names.Contains(ev))
                    {
                        return line;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Name} sent no '{name}' within {timeout.TotalSeconds:0.#} s{StderrTail()}");
        }
    }

    public async Task SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits for the process to end by itself; kills it after <paramref name="timeout"/>.</summary>
    public async Task WaitExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public double? CpuSeconds() => ProcInfo.CpuSeconds(Pid);

    /// <summary>CPU seconds of the child's background JIT so far (see <see cref="ProcInfo.BackgroundJitCpuSeconds"/>).</summary>
    public double? JitCpuSeconds() => ProcInfo.BackgroundJitCpuSeconds(Pid);

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(static _ => { }, TaskScheduler.Default);
        await _stdout.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(static _ => { }, TaskScheduler.Default);
        _process.Dispose();
    }

    private void Kill()
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
            // Already gone.
        }
    }

    private async Task PumpStdoutAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } text)
            {
                if (text.StartsWith('{') && JsonNode.Parse(text) is JsonObject obj)
                {
                    _lines.Writer.TryWrite(obj);
                }
            }
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or ObjectDisposedException)
        {
            _lines.Writer.TryWrite(new JsonObject { ["event"] = "error", ["message"] = $"unreadable output: {e.Message}" });
        }
        finally
        {
            _lines.Writer.TryComplete();
        }
    }

    private string StderrTail()
    {
        lock (_stderrTail)
        {
            return _stderrTail.Count == 0 ? "" : Environment.NewLine + "  stderr: " + string.Join(Environment.NewLine + "  ", _stderrTail);
        }
    }

    /// <summary>The host to run: the dotnet muxer when we were started as <c>dotnet X.dll</c>, else our own apphost.</summary>
    private static string SelfHost() => Environment.ProcessPath ?? "dotnet";

    private static IEnumerable<string> SelfArguments()
    {
        var host = System.IO.Path.GetFileNameWithoutExtension(Environment.ProcessPath ?? "dotnet");
        return host == "dotnet" ? [typeof(Child).Assembly.Location] : [];
    }
}
