using System.Runtime.InteropServices;

namespace OpenRed.Cli.Repl;

/// <summary>
/// SIGTERM shuts the node down cleanly. SIGINT (or Ctrl+C at the prompt) does too, except that on an
/// interactive prompt the first one only clears the line, or interrupts the running command, and a second within
/// 2 s is needed.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    public static readonly TimeSpan DoubleInterruptWindow = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _shutdown = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly TimeProvider _time;
    private readonly bool _interactive;
    private readonly Lock _gate = new();
    private long _lastInterrupt = long.MinValue;

    public ShutdownSignals(TimeProvider time, bool interactive, bool register = true)
    {
        _time = time;
        _interactive = interactive;
        if (register && !OperatingSystem.IsWindows())
        {
            _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
            _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
            _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal));
            if (interactive)
            {
                // The terminal went away: nobody can type quit any more.
                _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal));
            }
        }
        else if (register)
        {
            _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
            _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
        }
    }

    /// <summary>Cancelled once the node should shut down.</summary>
    public CancellationToken Token => _shutdown.Token;

    /// <summary>An interrupt that does not shut down: the running command, if any, stops.</summary>
    public event Action? CommandInterrupted;

    /// <summary>Why shutdown was asked for, for the log.</summary>
    public string? Reason { get; private set; }

    public void RequestShutdown(string reason)
    {
        lock (_gate)
        {
            Reason ??= reason;
        }

        try
        {
            _shutdown.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already shutting down and cleaned up.
        }
    }

    /// <summary>A Ctrl+C or SIGINT. Returns true when it shuts the node down.</summary>
    public bool Interrupt()
    {
        var now = _time.GetTimestamp();
        bool quit;
        lock (_gate)
        {
            quit = !_interactive
                || (_lastInterrupt != long.MinValue && _time.GetElapsedTime(_lastInterrupt, now) <= DoubleInterruptWindow);
            _lastInterrupt = now;
        }

        if (quit)
        {
            RequestShutdown("interrupt");
        }
        else
        {
            CommandInterrupted?.Invoke();
        }

        return quit;
    }

    public void Dispose()
    {
        foreach (var r in _registrations)
        {
            r.Dispose();
        }

        _shutdown.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Cancel the default action (terminate): we shut down ourselves, cleanly.
        context.Cancel = true;
        if (context.Signal == PosixSignal.SIGINT)
        {
            Interrupt();
        }
        else
        {
            RequestShutdown(context.Signal.ToString());
        }
    }
}
