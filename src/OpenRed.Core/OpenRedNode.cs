using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Identity;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Mesh;
using OpenRed.Core.Security;
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
    private Dialer? _dialer;
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

    /// <summary>Sessions with verified peers: connect, disconnect, events.</summary>
    public MeshService Mesh { get; private set; } = null!;

    /// <summary>Peers heard by the lighthouse (empty with --no-lighthouse), with their session state.</summary>
    public PeerMap PeerMap { get; private set; } = null!;

    /// <summary>Every peer ever verified, from the database.</summary>
    public LinkStore Links { get; private set; } = null!;

    /// <summary>The lighthouse's state and counters (state Disabled with --no-lighthouse).</summary>
    public LighthouseStatus LighthouseStatus => _lighthouse?.Status ?? new LighthouseStatus(
        LighthouseState.Disabled, "disabled (--no-lighthouse)", Options.LighthouseGroup, Options.LighthousePort,
        Options.LighthouseInterface, null, 0, 0, 0, 0, 0, new Dictionary<BeaconRejection, long>());

    private LighthouseService? _lighthouse;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Fingerprint, ImpersonationWarning> _impersonations = new();

    /// <summary>True when <paramref name="fingerprint"/> triggered a possible-impersonation warning since start.</summary>
    public bool IsSuspectedImpersonation(Fingerprint fingerprint) => _impersonations.ContainsKey(fingerprint);

    /// <summary>
    /// Creates the data directory, takes its lock, loads or creates the identity, opens the database (where the
    /// node-id and sector are remembered: <see cref="NodeOptions.NodeIdIsFallback"/>) and binds the TCP port.
    /// </summary>
    /// <exception cref="NodeStartException">
    /// One clear line: a directory open to others, locked directory, bad or missing key file, empty or damaged
    /// database, busy port. Nothing in the data directory is overwritten or deleted.
    /// </exception>
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
            dir.CheckContents(options.AcceptNewIdentity);

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
            cleanup.Push(database);
            var (nodeId, sector) = RememberedLabels.Resolve(
                database, options.NodeId, options.NodeIdIsFallback, options.Sector, options.SectorIsFallback, logger);
            options = options with { NodeId = nodeId, Sector = sector };
            var listener = NodeListener.Bind(options.ListenAddress, options.Port);
            cleanup.Push(listener);

            var node = new OpenRedNode(options, dir, identity, database, listener, loggers, time);
            foreach (var owned in cleanup.Reverse())
            {
                node._owned.Push(owned);
            }

            cleanup.Clear();
            try
            {
                await node.StartSubsystemsAsync(listener, ct);
            }
            catch
            {
                await node.DisposeAsync();
                throw;
            }

            LogStarted(logger, options.NodeId, identity.Fingerprint.Short, options.Sector, listener.LocalEndPoint, dir.Root);
            return node;
        }
        catch (StorageException e)
        {
            throw new NodeStartException(StartFailureOf(e.Failure), e.Message, e);
        }
        finally
        {
            while (cleanup.TryPop(out var d))
            {
                d.Dispose();
            }
        }
    }

    private static NodeStartFailure StartFailureOf(StorageFailure failure) => failure switch
    {
        StorageFailure.Locked => NodeStartFailure.Locked,
        StorageFailure.IdentityMissing => NodeStartFailure.KeyFile,
        StorageFailure.DataDirectory => NodeStartFailure.DataDirectory,
        _ => NodeStartFailure.Database,
    };

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
        Sessions = Mesh.Sessions.Count,
        Peers = PeerMap.Count,
        Links = Database.CountLinks(),
        Lighthouse = LighthouseStatus,
        HandshakesCompleted = Mesh.Counters.HandshakesCompleted,
        HandshakesFailed = Mesh.Counters.HandshakesFailed,
        ConnectionsRefused = Mesh.Counters.ConnectionsRefused,
    };

    /// <summary>Dials a peer; with <paramref name="expected"/>, only that fingerprint is accepted.</summary>
    /// <exception cref="ConnectException">Unreachable, refused or the handshake failed; the message is for people.</exception>
    public Task<PeerSession> ConnectAsync(string host, int port, Fingerprint? expected, CancellationToken ct) =>
        Mesh.ConnectAsync(host, port, expected, ct);

    /// <summary>Closes a session with Goodbye and stops reconnecting to that peer until it is heard of again.</summary>
    public Task<bool> DisconnectAsync(PeerSession session, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        _dialer?.Forget(session.Fingerprint);
        return Mesh.DisconnectAsync(session, "disconnected by user", ct);
    }

    /// <summary>The live sessions a person's name for a peer matches (node-id or fingerprint prefix of 8+ hex digits).</summary>
    public PeerMatch<PeerSession> FindSessions(string name) =>
        PeerNames.Resolve(name, Mesh.Sessions, s => s.Fingerprint, s => s.Peer.NodeId);

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
        }

        _stopping.Dispose();
        LogStopped(_logger, NodeId);
    }

    /// <summary>Registers an object started after the core pieces; it is stopped before them, newest first.</summary>
    internal void Own(IAsyncDisposable subsystem) => _owned.Push(subsystem);

    internal void Own(IDisposable subsystem) => _owned.Push(subsystem);

    // Order matters for shutdown, which runs in reverse: dialling stops first, then the goodbye beacon,
    // then Goodbye on every session, then the listener and the database.
    private async Task StartSubsystemsAsync(NodeListener listener, CancellationToken ct)
    {
        var meshOptions = Options.EffectiveMesh;
        Links = new LinkStore(Database);
        var local = new LocalIdentity(_identity, NodeId, Sector, listener.Port, Options.Unlisted);
        Mesh = new MeshService(local, meshOptions, Links, _time, Loggers);
        Own(Mesh);
        Mesh.ImpersonationSuspected += w => _impersonations[w.NewFingerprint] = w;
        Mesh.StartAccepting(listener.AcceptAsync);

        var lighthouseOptions = Options.EffectiveLighthouse;
        PeerMap = new PeerMap(lighthouseOptions, _time);
        if (lighthouseOptions.Enabled)
        {
            var info = new LighthouseLocalInfo(NodeId, Fingerprint, Sector, listener.Port, LighthouseLocalInfo.NewInstance());
            _lighthouse = await LighthouseService.StartAsync(
                info, lighthouseOptions, PeerMap, _time, Loggers.CreateLogger<LighthouseService>(), ct);
            Own(_lighthouse);
        }

        _dialer = new Dialer(Mesh, meshOptions, _time, Loggers.CreateLogger<Dialer>());
        Own(_dialer);
        Own(new Reconnector(Mesh, _dialer));
        var auto = new AutoConnector(Mesh, PeerMap, _dialer, Sector, meshOptions.SessionCheckTimeout, _time, Loggers.CreateLogger<AutoConnector>());
        Own(auto);
        auto.Sweep();
        if (Options.Bootstrap.Count > 0)
        {
            var bootstrap = new BootstrapDialer(Mesh, meshOptions, _time, Loggers.CreateLogger<BootstrapDialer>());
            Own(bootstrap);
            bootstrap.Start(Options.Bootstrap);
        }
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
}
