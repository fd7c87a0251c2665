using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Identity;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Mesh;
using OpenRed.Core.Mesh.Transport;
using OpenRed.Core.Modules;
using OpenRed.Core.Node;
using OpenRed.Core.Security;
using OpenRed.Core.Storage;

namespace OpenRed.Core;

/// <summary>
/// The node, and the one API the REPL, the tests and (later) the local API use: snapshots (<see cref="GetStatus"/>,
/// <see cref="GetConstellation"/>, <see cref="GetSessions"/>, <see cref="GetLinks"/>), commands
/// (<see cref="ConnectAsync"/>, <see cref="DisconnectAsync"/>) and events (<see cref="SubscribeEvents"/>). It owns the
/// data directory lock, the identity, the database, the transport, the lighthouse, the mesh and the modules, and
/// hands none of them out.
/// </summary>
/// <remarks>
/// Composition, in <see cref="StartAsync(NodeOptions, ILoggerFactory, TimeProvider, CancellationToken)"/>: core
/// parts, then every module (<see cref="NodeModules"/>) migrated, registered and started, then accepting, then the
/// lighthouse. Shutdown runs the reverse, within <see cref="NodeOptions.ShutdownTimeout"/>.
/// </remarks>
public sealed partial class OpenRedNode : IAsyncDisposable
{
    private readonly Stack<object> _owned = new();
    private readonly ILogger<OpenRedNode> _logger;
    private readonly TimeProvider _time;
    private readonly NodeIdentity _identity;
    private readonly TcpTransport _transport;
    private readonly CancellationTokenSource _stopping = new();
    private readonly NodeEvents _events = new();
    private readonly ConcurrentDictionary<Fingerprint, ImpersonationWarning> _impersonations = new();
    private readonly List<INodeModule> _modules = [];
    private LighthouseService? _lighthouse;
    private int _disposed;

    private OpenRedNode(
        NodeOptions options, DataDirectory dataDirectory, NodeIdentity identity, NodeDatabase database, TcpTransport transport,
        ILoggerFactory loggers, TimeProvider time)
    {
        Options = options;
        DataDirectory = dataDirectory;
        _identity = identity;
        Database = database;
        _transport = transport;
        Loggers = loggers;
        _logger = loggers.CreateLogger<OpenRedNode>();
        _time = time;
        StartedAt = time.GetUtcNow();
        Links = new LinkStore(database);
        var local = new LocalIdentity(identity, options.NodeId, options.Sector, transport.Port, options.Unlisted);
        Mesh = new MeshService(local, options.EffectiveMesh, Links, time, loggers, IsBlocked, IsFriend);
        PeerMap = new PeerMap(options.EffectiveLighthouse, time);
    }

    public NodeOptions Options { get; }

    public DataDirectory DataDirectory { get; }

    public string NodeId => Options.NodeId;

    public string Sector => Options.Sector;

    public Fingerprint Fingerprint => _identity.Fingerprint;

    /// <summary>The TCP endpoint in use (the actual port when started with port 0).</summary>
    public IPEndPoint ListenEndPoint => _transport.LocalEndPoint!;

    public int Port => _transport.Port;

    public DateTimeOffset StartedAt { get; }

    public TimeProvider Time => _time;

    /// <summary>The lighthouse's state and counters (state Disabled with --no-lighthouse).</summary>
    public LighthouseStatus LighthouseStatus => _lighthouse?.Status ?? new LighthouseStatus(
        LighthouseState.Disabled, "disabled (--no-lighthouse)", Options.LighthouseGroup, Options.LighthousePort,
        Options.LighthouseInterface, null, 0, 0, 0, 0, 0, new Dictionary<BeaconRejection, long>());

    /// <summary>Publish, resurrect and list URNs (the Phoenix module, section 8).</summary>
    public Phoenix.IPhoenix Phoenix => _modules.OfType<Phoenix.PhoenixModule>().FirstOrDefault()
        ?? throw new InvalidOperationException("the Phoenix module is not running");

    internal NodeDatabase Database { get; }

    internal ILoggerFactory Loggers { get; }

    internal MeshService Mesh { get; }

    internal PeerMap PeerMap { get; }

    internal LinkStore Links { get; }

    internal NodeIdentity Identity => _identity;

    /// <summary>Cancelled when shutdown begins; modules' loops link to it.</summary>
    internal CancellationToken Stopping => _stopping.Token;

    /// <summary>
    /// Creates the data directory, takes its lock, loads or creates the identity, opens the database (where the
    /// node-id and sector are remembered: <see cref="NodeOptions.NodeIdIsFallback"/>), binds the TCP port and starts every part.
    /// </summary>
    /// <exception cref="NodeStartException">
    /// One clear line: a directory open to others, locked directory, bad or missing key file, empty or damaged
    /// database, busy port. Nothing in the data directory is overwritten or deleted.
    /// </exception>
    public static Task<OpenRedNode> StartAsync(NodeOptions options, ILoggerFactory loggers, TimeProvider time, CancellationToken cancellationToken) =>
        StartAsync(options, loggers, time, [], cancellationToken);

    /// <summary>As the public overload, with modules beyond <see cref="NodeModules"/> (tests).</summary>
    internal static async Task<OpenRedNode> StartAsync(
        NodeOptions options, ILoggerFactory loggers, TimeProvider time, IReadOnlyList<Func<ModuleContext, INodeModule>> extraModules,
        CancellationToken cancellationToken)
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
            cancellationToken.ThrowIfCancellationRequested();
            dir.CheckContents(options.AcceptNewIdentity);

            NodeIdentity identity;
            try
            {
                var existed = File.Exists(dir.KeyFile);
                // RSA key generation takes a noticeable moment; keep it off the caller's thread.
                identity = await Task.Run(() => KeyFile.LoadOrCreate(dir.KeyFile), cancellationToken);
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
            TcpTransport transport;
            try
            {
                transport = TcpTransport.Listen(options.ListenAddress, options.Port);
            }
            catch (TransportBindException e)
            {
                throw new NodeStartException(e.PortInUse ? NodeStartFailure.PortInUse : NodeStartFailure.Listen, e.Message, e);
            }

            cleanup.Push(transport);
            var node = new OpenRedNode(options, dir, identity, database, transport, loggers, time);
            foreach (var owned in cleanup.Reverse())
            {
                node._owned.Push(owned);
            }

            cleanup.Clear();
            try
            {
                await node.StartPartsAsync(extraModules, cancellationToken);
            }
            catch
            {
                await node.DisposeAsync();
                throw;
            }

            LogStarted(logger, options.NodeId, identity.Fingerprint.Short, options.Sector, transport.LocalEndPoint!, dir.Root);
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

    public NodeStatus GetStatus() => StatusWithLinks(FlushedLinkCount());

    private int FlushedLinkCount()
    {
        Mesh.FlushLinks();
        return Links.Count();
    }

    private NodeStatus StatusWithLinks(int links) => new()
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
        Links = links,
        Lighthouse = LighthouseStatus,
        HandshakesCompleted = Mesh.Counters.HandshakesCompleted,
        HandshakesFailed = Mesh.Counters.HandshakesFailed,
        ConnectionsRefused = Mesh.Counters.ConnectionsRefused,
        ConnectionsRefusedBy = Mesh.Counters.ConnectionsRefusedBy,
        SessionsRefused = Mesh.Counters.SessionsRefused,
        SessionsRefusedBy = Mesh.Counters.SessionsRefusedBy,
        ProtocolViolations = Mesh.Counters.ProtocolViolations,
        Sections = [.. _modules.Select(m => m.GetStatus()).OfType<StatusSection>()],
    };

    /// <summary>The live sessions, ordered by node-id then fingerprint.</summary>
    public IReadOnlyList<SessionInfo> GetSessions() =>
        [.. Mesh.Sessions.Select(Describe).OrderBy(s => s.NodeId, StringComparer.Ordinal).ThenBy(s => s.Fingerprint)];

    /// <summary>Every peer a handshake ever verified, from the database.</summary>
    public IReadOnlyList<Link> GetLinks()
    {
        // Link writes leave the session path through a queue: what is shown is on disk, and nothing queued is missing.
        Mesh.FlushLinks();
        return Links.All();
    }

    /// <summary>This node, the peers heard or connected, and the sessions, as one consistent view.</summary>
    public Constellation GetConstellation() => ConstellationBuilder.Build(this);

    /// <summary>
    /// Events of the constellation through a bounded channel of <paramref name="capacity"/>: a reader that falls behind
    /// loses the oldest (counted), never slows the node. Dispose the subscription to stop.
    /// </summary>
    public NodeEventSubscription SubscribeEvents(int capacity = 256) => _events.Subscribe(capacity);

    /// <summary>Dials a peer; with <paramref name="expected"/>, only that fingerprint is accepted.</summary>
    /// <exception cref="ConnectException">Unreachable, refused or the handshake failed; the message is for people.</exception>
    public async Task<SessionInfo> ConnectAsync(string host, int port, Fingerprint? expected, CancellationToken cancellationToken)
    {
        var session = await Mesh.ConnectAsync(host, port, expected, cancellationToken);
        PeerConnectedByUser?.Invoke(session, host, port);
        return Describe(session);
    }

    /// <summary>Closes the session with <paramref name="fingerprint"/> with Goodbye; it is not redialled until heard of again.</summary>
    /// <returns>False when no such session was open.</returns>
    public async Task<bool> DisconnectAsync(Fingerprint fingerprint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        var session = Mesh.Find(fingerprint);
        if (session is null)
        {
            return false;
        }

        PeerDisconnectedByUser?.Invoke(fingerprint);
        return await Mesh.DisconnectAsync(session, GoodbyeReason.ByUser, cancellationToken);
    }

    /// <summary>The live sessions a person's name for a peer matches (node-id or fingerprint prefix of 8+ hex digits).</summary>
    public PeerMatch<SessionInfo> FindSessions(string name) =>
        PeerNames.Resolve(name, GetSessions(), s => s.Fingerprint, s => s.NodeId);

    /// <summary>
    /// Trusts a linked fingerprint for its node-id from now on, in place of the one pinned before (a peer that
    /// really changed its key). False when no link has that fingerprint.
    /// </summary>
    public bool PinLink(Fingerprint fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        if (!Links.Pin(fingerprint, _time.GetUtcNow()))
        {
            return false;
        }

        _impersonations.TryRemove(fingerprint, out _);
        return true;
    }

    /// <summary>True when <paramref name="fingerprint"/> triggered a possible-impersonation warning since start.</summary>
    public bool IsSuspectedImpersonation(Fingerprint fingerprint) => _impersonations.ContainsKey(fingerprint);

    /// <summary>Profiles, friends and chat (section 9).</summary>
    public Social.ISocial Social => _modules.OfType<Social.SocialModule>().Single();

    /// <summary>Stops every part in reverse order of start, within <see cref="NodeOptions.ShutdownTimeout"/> in all.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        LogStopping(_logger, NodeId);
        await _stopping.CancelAsync();
        var deadline = _time.GetUtcNow() + Options.ShutdownTimeout;
        while (_owned.TryPop(out var owned))
        {
            try
            {
                switch (owned)
                {
                    case IAsyncDisposable a:
                        var left = deadline - _time.GetUtcNow();
                        await a.DisposeAsync().AsTask().WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
                        break;
                    case IDisposable d:
                        d.Dispose();
                        break;
                }
            }
            catch (TimeoutException)
            {
                LogStopSlow(_logger, owned.GetType().Name);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogStopFailed(_logger, owned.GetType().Name, e);
            }
        }

        _events.Complete();
        _stopping.Dispose();
        LogStopped(_logger, NodeId);
    }

    /// <summary>A person connected to a peer (modules: the dial policy lifts its "quiet" mark).</summary>
    internal event Action<PeerSession, string, int>? PeerConnectedByUser;

    /// <summary>A person disconnected a peer (modules: the dial policy stops redialling it).</summary>
    internal event Action<Fingerprint>? PeerDisconnectedByUser;

    /// <summary>How the node learned of each peer, from the peer directory (empty when no directory runs).</summary>
    internal IReadOnlyDictionary<Fingerprint, IReadOnlyList<string>> PeerSources() =>
        _modules.OfType<Peers.PeersModule>().FirstOrDefault()?.SourcesByFingerprint() ?? new Dictionary<Fingerprint, IReadOnlyList<string>>();

    /// <summary>The first running module that is a <typeparamref name="T"/>: how one module reaches another's interface.</summary>
    internal T? Module<T>() where T : class => _modules.OfType<T>().FirstOrDefault();

    internal SessionInfo Describe(PeerSession s) => SessionInfo.From(s, IsSuspectedImpersonation(s.Fingerprint));

    /// <summary>Whether a module refuses this fingerprint (blocked peers); asked by the handshake and the dial policy.</summary>
    internal bool IsBlocked(Fingerprint fingerprint) => _modules.OfType<IPeerPolicy>().Any(p => p.IsBlocked(fingerprint));

    /// <summary>Whether a module counts this fingerprint as a friend (section 7: a friend still gets a slot).</summary>
    internal bool IsFriend(Fingerprint fingerprint) => _modules.OfType<IPeerPolicy>().Any(p => p.IsFriend(fingerprint));

    private async Task StartPartsAsync(IReadOnlyList<Func<ModuleContext, INodeModule>> extraModules, CancellationToken cancellationToken)
    {
        Own(Mesh);
        NodeEventFeed.Connect(this, _events, _impersonations);

        var context = new ModuleContext(this, Options, Database, Mesh, PeerMap, Links, _events, _time, Loggers, _stopping.Token);
        foreach (var create in NodeModules.All.Concat(extraModules))
        {
            _modules.Add(create(context));
        }

        var handlers = new ModuleHandlers(Mesh);
        foreach (var module in _modules)
        {
            try
            {
                ModuleSchema.Apply(Database, module.Name, module.Migrations, _logger);
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
            {
                throw new NodeStartException(NodeStartFailure.Database, $"database {Database.Path}: {module.Name}: {e.Message}", e);
            }

            module.RegisterHandlers(handlers);
        }

        // Lighthouse after the mesh in the stack: on shutdown the goodbye beacon goes out before the session goodbyes.
        var lighthouseOptions = Options.EffectiveLighthouse;
        if (lighthouseOptions.Enabled)
        {
            var info = new LighthouseLocalInfo(NodeId, Fingerprint, Sector, Port, LighthouseLocalInfo.NewInstance());
            _lighthouse = await LighthouseService.StartAsync(
                info, lighthouseOptions, PeerMap, _time, Loggers.CreateLogger<LighthouseService>(), cancellationToken);
            Own(_lighthouse);
        }

        // Modules last in the stack, so they stop first: dialling ends before any goodbye.
        foreach (var module in _modules)
        {
            await module.StartAsync(cancellationToken);
            Own(module);
        }

        Mesh.Start(_transport);
    }

    private void Own(object part) => _owned.Push(part);

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

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Stopping {Subsystem} overran the shutdown timeout; going on without it")]
    private static partial void LogStopSlow(ILogger logger, string subsystem);
}
