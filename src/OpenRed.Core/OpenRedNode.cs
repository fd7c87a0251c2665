using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Identity;
using OpenRed.Core.Storage;

namespace OpenRed.Core;

/// <summary>
/// The node: owns the data directory lock, the identity, the database and the TCP listener, and (as they
/// arrive) the lighthouse, the mesh, Phoenix and the social layer. The REPL and the tests use only this API.
/// </summary>
/// <remarks>
/// Adding a subsystem: construct it in <see cref="StartAsync"/> after what it depends on, hand it to
/// <c>Own</c> so that shutdown stops it in reverse order, expose its public API as a property, and fill
/// its counts in <see cref="GetStatus"/>.
/// </remarks>
public sealed partial class OpenRedNode : IAsyncDisposable
{
    private readonly Stack<object> _owned = new();
    private readonly ILogger<OpenRedNode> _logger;
    private readonly TimeProvider _time;
    private readonly NodeIdentity _identity;
    private readonly NodeListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private Task _acceptLoop = Task.CompletedTask;
    private int _disposed;

    private OpenRedNode(
        NodeOptions options,
        DataDirectory dataDirectory,
        NodeIdentity identity,
        NodeDatabase database,
        NodeListener listener,
        ILoggerFactory loggers,
        TimeProvider time)
    {
        Options = options;
        DataDirectory = dataDirectory;
        _identity = identity;
        Database = database;
        _listener = listener;
        Loggers = loggers;
        _logger = loggers.CreateLogger<OpenRedNode>();
        _time = time;
        StartedAt = time.GetUtcNow();
    }

    public NodeOptions Options { get; }

    public DataDirectory DataDirectory { get; }

    public NodeDatabase Database { get; }

    public string NodeId => Options.NodeId;

    public string Sector => Options.Sector;

    public Fingerprint Fingerprint => _identity.Fingerprint;

    /// <summary>The node's key pair, for the handshake. Never logged or shown.</summary>
    public NodeIdentity Identity => _identity;

    /// <summary>The TCP endpoint in use (the actual port when started with port 0).</summary>
    public IPEndPoint ListenEndPoint => _listener.LocalEndPoint;

    public int Port => _listener.Port;

    public DateTimeOffset StartedAt { get; }

    public ILoggerFactory Loggers { get; }

    public TimeProvider Time => _time;

    /// <summary>Cancelled when shutdown begins; subsystems' loops link to it.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Creates the data directory, takes its lock, loads or creates the identity, opens the database and binds the TCP port.</summary>
    /// <exception cref="NodeStartException">One clear line: locked directory, bad key file, database, busy port.</exception>
    public static async Task<OpenRedNode> StartAsync(NodeOptions options, ILoggerFactory loggers, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(time);
        if (!NodeLabels.IsValidNodeId(options.NodeId))
        {
            throw new ArgumentException($"invalid node-id '{options.NodeId}'", nameof(options));
        }

        if (!NodeLabels.IsValidSector(options.Sector))
        {
            throw new ArgumentException($"invalid sector '{options.Sector}'", nameof(options));
        }

        var logger = loggers.CreateLogger<OpenRedNode>();
        var dir = new DataDirectory(options.DataDirectory);
        var cleanup = new Stack<IDisposable>();
        try
        {
            dir.Create();
            cleanup.Push(DataDirectoryLock.Acquire(dir));
            ct.ThrowIfCancellationRequested();

            NodeIdentity identity;
            try
            {
                var existed = File.Exists(dir.KeyFile);
                // RSA key generation takes a noticeable moment; keep it off the caller's thread.
                identity = await Task.Run(() => KeyFile.LoadOrCreate(dir.KeyFile), ct);
                LogIdentity(logger, existed ? "Loaded" : "Created", dir.KeyFile, identity.Fingerprint.Hex);
            }
            catch (IdentityFileException e)
            {
                throw new NodeStartException(NodeStartFailure.KeyFile, e.Message, e);
            }

            cleanup.Push(identity);
            var database = NodeDatabase.Open(dir.Database, logger);
            var listener = NodeListener.Bind(options.ListenAddress, options.Port);
            cleanup.Push(listener);

            var node = new OpenRedNode(options, dir, identity, database, listener, loggers, time);
            foreach (var owned in cleanup.Reverse())
            {
                node._owned.Push(owned);
            }

            cleanup.Clear();
            node.StartAcceptLoop();
            LogStarted(logger, options.NodeId, identity.Fingerprint.Short, options.Sector, listener.LocalEndPoint, dir.Root);
            return node;
        }
        finally
        {
            while (cleanup.TryPop(out var d))
            {
                d.Dispose();
            }
        }
    }

    public NodeStatus GetStatus() => new()
    {
        NodeId = NodeId,
        Fingerprint = Fingerprint,
        Sector = Sector,
        Port = Port,
        ListenAddress = Options.ListenAddress?.ToString() ?? "*",
        DataDirectory = DataDirectory.Root,
        StartedAt = StartedAt,
        Uptime = _time.GetUtcNow() - StartedAt,
        LighthouseEnabled = Options.LighthouseEnabled,
        Sessions = 0,
        Peers = 0,
        Links = Database.CountLinks(),
    };

    /// <summary>Stops every subsystem in reverse order of start, closes the database and releases the lock.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        LogStopping(_logger, NodeId);
        await _stopping.CancelAsync();
        while (_owned.TryPop(out var owned))
        {
            try
            {
                switch (owned)
                {
                    case IAsyncDisposable a:
                        await a.DisposeAsync();
                        break;
                    case IDisposable d:
                        d.Dispose();
                        break;
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogStopFailed(_logger, owned.GetType().Name, e);
            }

            if (ReferenceEquals(owned, _listener))
            {
                await _acceptLoop;
            }
        }

        _stopping.Dispose();
        LogStopped(_logger, NodeId);
    }

    /// <summary>Registers an object started after the core pieces; it is stopped before them, newest first.</summary>
    internal void Own(IAsyncDisposable subsystem) => _owned.Push(subsystem);

    private void StartAcceptLoop() => _acceptLoop = AcceptLoopAsync(_stopping.Token);

    // Until the handshake arrives an inbound connection has nobody to talk to: accept and close it at once
    // so a dialer learns that quickly instead of waiting in the backlog. The handshake issue replaces HandleInbound.
    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException
                || (e is SocketException && ct.IsCancellationRequested))
            {
                return;
            }
            catch (SocketException e)
            {
                LogAcceptFailed(_logger, e);
                continue;
            }

            HandleInbound(socket);
        }
    }

    private void HandleInbound(Socket socket)
    {
        LogInboundClosed(_logger, socket.RemoteEndPoint);
        socket.Dispose();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Action} identity {KeyFile}: fingerprint {Fingerprint}")]
    private static partial void LogIdentity(ILogger logger, string action, string keyFile, string fingerprint);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Node {NodeId} ({Fingerprint}) in sector {Sector} listening on {EndPoint}, data in {DataDirectory}")]
    private static partial void LogStarted(ILogger logger, string nodeId, string fingerprint, string sector, IPEndPoint endPoint, string dataDirectory);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Node {NodeId} stopping")]
    private static partial void LogStopping(ILogger logger, string nodeId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Node {NodeId} stopped")]
    private static partial void LogStopped(ILogger logger, string nodeId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Stopping {Subsystem} failed")]
    private static partial void LogStopFailed(ILogger logger, string subsystem, Exception e);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Accepting a TCP connection failed")]
    private static partial void LogAcceptFailed(ILogger logger, Exception e);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Inbound connection from {Remote} closed: no handshake yet")]
    private static partial void LogInboundClosed(ILogger logger, EndPoint? remote);
}
