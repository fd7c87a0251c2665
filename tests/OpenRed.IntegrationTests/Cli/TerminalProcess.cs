using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace OpenRed.IntegrationTests.Cli;

/// <summary>
/// The real <c>openred</c> on a pseudo-terminal, as a person at a keyboard runs it: stdin and stdout are the
/// terminal (so: the prompt, the line editor, raw keys such as Ctrl+C), stderr is a pipe collected line by line.
/// Linux only (posix_openpt, setsid, stty). Waits are event-driven with timeouts; dispose kills what is left.
/// </summary>
public sealed class TerminalProcess : IAsyncDisposable
{
    private const int ORdWr = 2;
    private const int ONoCtty = 0x100;

    private readonly Process _process;
    private readonly FileStream _master;
    private readonly SafeFileHandle _slave;
    private readonly Task _reader;
    private readonly Lock _gate = new();
    private readonly StringBuilder _screen = new();
    private readonly List<string> _stderr = [];
    private readonly List<(Func<bool> Done, TaskCompletionSource Signal)> _waiters = [];
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TerminalProcess(Process process, FileStream master, SafeFileHandle slave)
    {
        _process = process;
        _master = master;
        _slave = slave;
        _reader = Task.Factory.StartNew(ReadScreen, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Everything written to the terminal so far (escape sequences included).</summary>
    public string Screen
    {
        get
        {
            lock (_gate)
            {
                return _screen.ToString();
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

    public static TerminalProcess Start(params string[] args)
    {
        var master = posix_openpt(ORdWr | ONoCtty);
        if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0)
        {
            throw new InvalidOperationException($"no pseudo-terminal: errno {Marshal.GetLastPInvokeError()}");
        }

        var name = new byte[256];
        if (ptsname_r(master, name, (nuint)name.Length) != 0)
        {
            throw new InvalidOperationException($"ptsname_r failed: errno {Marshal.GetLastPInvokeError()}");
        }

        var slave = Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0));

        // Held open by us until dispose: reading the master while no slave is open fails at once (EIO), and the
        // reader starts before the child has opened its end.
        // O_NOCTTY: the terminal must not become the test host's controlling terminal, or setsid -c could not take it.
        var slaveFd = open(slave, ORdWr | ONoCtty);
        if (slaveFd < 0)
        {
            throw new InvalidOperationException($"cannot open {slave}: errno {Marshal.GetLastPInvokeError()}");
        }

        var slaveHandle = new SafeFileHandle((IntPtr)slaveFd, ownsHandle: true);

        // A new session whose controlling terminal is the slave, 80x24 like a default terminal window.
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = OpenRedProcess.ExecutableDirectory,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("stty rows 24 cols 80 < \"$0\" && exec setsid -w -c \"$@\" < \"$0\" > \"$0\"");
        info.ArgumentList.Add(slave);
        info.ArgumentList.Add(DotnetHost());
        info.ArgumentList.Add(Path.Combine(OpenRedProcess.ExecutableDirectory, "openred.dll"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["TERM"] = "xterm";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var stream = new FileStream(new SafeFileHandle((IntPtr)master, ownsHandle: true), FileAccess.ReadWrite, bufferSize: 0);
        var result = new TerminalProcess(process, stream, slaveHandle);
        process.ErrorDataReceived += (_, e) => result.OnStderr(e.Data);
        process.Start();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Types text as keys; "\u0003" is Ctrl+C, "\r" is Enter.</summary>
    public async Task TypeAsync(string keys)
    {
        await _master.WriteAsync(Encoding.UTF8.GetBytes(keys));
        await _master.FlushAsync();
    }

    /// <summary>Waits until the terminal shows <paramref name="text"/> at least <paramref name="times"/> times.</summary>
    public Task WaitForScreenAsync(string text, int times = 1, TimeSpan? timeout = null) =>
        WaitAsync(() => Count(_screen.ToString(), text) >= times, $"the terminal to show '{text}' {times} time(s)", timeout);

    public Task<string> WaitForStderrAsync(Func<string, bool> match, TimeSpan? timeout = null) =>
        WaitAsync(() => _stderr.Any(match), "the expected stderr line", timeout)
            .ContinueWith(_ => StderrLines.First(match), TaskScheduler.Default);

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout ?? OpenRedProcess.DefaultTimeout);
            await _stderrClosed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"openred did not exit in time\n{Describe()}");
        }

        return _process.ExitCode;
    }

    public string Describe()
    {
        lock (_gate)
        {
            return $"--- terminal\n{_screen}\n--- stderr\n{string.Join('\n', _stderr)}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Exited meanwhile, or beyond help; the test already has its answer.
        }

        // The reader ends when the last holder of the slave side is gone (read then fails with EIO).
        _slave.Dispose();
        await _reader.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);
        await _master.DisposeAsync();
        _process.Dispose();
    }

    private static int Count(string haystack, string needle)
    {
        var n = 0;
        for (var i = haystack.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = haystack.IndexOf(needle, i + needle.Length, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    private async Task WaitAsync(Func<bool> done, string what, TimeSpan? timeout)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (done())
            {
                return;
            }

            _waiters.Add((done, signal));
        }

        try
        {
            await signal.Task.WaitAsync(timeout ?? OpenRedProcess.DefaultTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"timed out waiting for {what}\n{Describe()}");
        }
    }

    private void ReadScreen()
    {
        var buffer = new byte[4096];
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[4096];
        while (true)
        {
            int n;
            try
            {
                n = _master.Read(buffer);
            }
            catch (IOException)
            {
                return;
            }

            if (n == 0)
            {
                return;
            }

            var count = decoder.GetChars(buffer, 0, n, chars, 0);
            lock (_gate)
            {
                _screen.Append(chars, 0, count);
                Notify();
            }
        }
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            _stderrClosed.TrySetResult();
            return;
        }

        lock (_gate)
        {
            _stderr.Add(line);
            Notify();
        }
    }

    // Called under _gate.
    private void Notify()
    {
        foreach (var w in _waiters.Where(w => w.Done()).ToList())
        {
            w.Signal.TrySetResult();
            _waiters.Remove(w);
        }
    }

    // DllImport rather than LibraryImport: the generated marshalling would need unsafe code in this project.
    [DllImport("libc", SetLastError = true)]
    private static extern int posix_openpt(int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int grantpt(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int unlockpt(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int ptsname_r(int fd, [Out] byte[] buffer, nuint length);
}
