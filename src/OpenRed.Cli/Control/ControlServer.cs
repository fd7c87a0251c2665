using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenRed.Cli.Repl;
using OpenRed.Core;

namespace OpenRed.Cli.Control;

/// <summary>
/// The local HTTP API of a running node: Kestrel on a Unix socket in the data directory (mode 0600 in a 0700
/// directory), serving <see cref="ControlApi"/>. Started after the node, so a second node on the same directory
/// fails on the directory's lock before it touches the socket; stopped before the node.
/// </summary>
internal sealed partial class ControlServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ControlCommands _commands;
    private readonly CancellationTokenSource _stopping;
    private readonly ControlOptions _options;

    private ControlServer(WebApplication app, ControlCommands commands, CancellationTokenSource stopping, ControlOptions options, string path)
    {
        _app = app;
        _commands = commands;
        _stopping = stopping;
        _options = options;
        SocketPath = path;
    }

    public string SocketPath { get; }

    /// <param name="requestShutdown">Called with a reason when a client ran <c>quit</c>, after it got its answer.</param>
    /// <exception cref="ControlSocketException">The socket cannot be created; one line says why.</exception>
    public static async Task<ControlServer> StartAsync(
        OpenRedNode node,
        CommandRegistry commands,
        ILoggerFactory loggers,
        Action<string> requestShutdown,
        ControlOptions options,
        CancellationToken cancellationToken)
    {
        var path = ControlSocket.PathIn(node.DataDirectory.Root);
        if (ControlSocket.TooLong(path) is { } tooLong)
        {
            throw new ControlSocketException(tooLong);
        }

        ReplaceStale(path);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = "openred",
            ContentRootPath = node.DataDirectory.Root,
        });

        // The framework's own chatter stays out of the node's log; its warnings and errors go in.
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggers));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // The node handles its signals itself (ShutdownSignals); the host must not stop on them by its own.
        builder.Services.AddSingleton<IHostLifetime, NoSignalsLifetime>();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            ApplyLimits(kestrel.Limits, options);
            kestrel.ListenUnixSocket(path);
        });

        var app = builder.Build();
        var stopping = new CancellationTokenSource();
        var table = new ControlCommands(node, commands, loggers, options.MaxConcurrentCommands);
        var logger = loggers.CreateLogger<ControlServer>();
        new ControlApi(node, table, options, requestShutdown, logger, stopping.Token).Map(app);
        try
        {
            await app.StartAsync(cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            await app.DisposeAsync();
            table.Dispose();
            stopping.Dispose();
            throw new ControlSocketException($"cannot listen on {path}: {e.Message}", e);
        }

        LogListening(logger, path);
        return new ControlServer(app, table, stopping, options, path);
    }

    public async ValueTask DisposeAsync()
    {
        // Event streams and running commands end first, so stopping does not wait for them.
        await _stopping.CancelAsync();
        using (var timeout = new CancellationTokenSource(_options.ShutdownTimeout))
        {
            await _app.StopAsync(timeout.Token);
        }

        await _app.DisposeAsync();
        _commands.Dispose();
        _stopping.Dispose();
        try
        {
            File.Delete(SocketPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next start replaces it.
        }
    }

    // The lock is ours, so whatever sits at the path is left from a node that died: nothing listens on it.
    private static void ReplaceStale(string path)
    {
        if (Directory.Exists(path))
        {
            throw new ControlSocketException($"{path} is a directory; remove it so the node can create its control socket there");
        }

        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ControlSocketException($"cannot replace the stale socket {path}: {e.Message}", e);
        }
    }

    [LoggerMessage(EventId = 910, Level = LogLevel.Information, Message = "Control socket listening on {Path}")]
    private static partial void LogListening(ILogger logger, string path);

    /// <summary>The API's Kestrel limits, shared by the control socket and the dashboard's listener.</summary>
    internal static void ApplyLimits(KestrelServerLimits limits, ControlOptions options)
    {
        // JSON bodies stay small; the dashboard's publish endpoint raises this for its own request only.
        limits.MaxRequestBodySize = options.MaxRequestBytes;
        limits.RequestHeadersTimeout = options.RequestHeadersTimeout;
        limits.KeepAliveTimeout = options.KeepAliveTimeout;
        limits.MinRequestBodyDataRate = new MinDataRate(240, options.BodyRateGracePeriod);
        limits.MaxConcurrentConnections = options.MaxConnections;
        limits.MaxConcurrentUpgradedConnections = 0;
    }

    internal sealed class NoSignalsLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    internal sealed class ForwardingLoggerProvider(ILoggerFactory loggers) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => loggers.CreateLogger(categoryName);

        public void Dispose()
        {
            // The factory belongs to the executable.
        }
    }
}

/// <summary>The control socket could not be created; the node runs on without it.</summary>
internal sealed class ControlSocketException : Exception
{
    public ControlSocketException(string message) : base(message) { }

    public ControlSocketException(string message, Exception inner) : base(message, inner) { }

    public ControlSocketException() { }
}
