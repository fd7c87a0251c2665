using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Common;
using OpenRed.Core.Identity;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Mesh;
using OpenRed.Core.Modules;
using OpenRed.Core.Peers.Internal;
using OpenRed.Core.Security;
using OpenRed.Core.Storage;

namespace OpenRed.Core.Peers;

/// <summary>
/// The dial policy as a module: every way the node learns an address (the lighthouse, --bootstrap, connect, links,
/// peer exchange through <see cref="IPeerIntake"/>) feeds the <see cref="PeerDirectory"/>, and the one
/// <see cref="DialScheduler"/> dials from it. It also tells the lighthouse's map which peers a handshake verified,
/// checks a session a beacon casts doubt on (section 3), and keeps quiet peers quiet across a restart.
/// </summary>
internal sealed partial class PeersModule : INodeModule, IPeerIntake
{
    private readonly ModuleContext _context;
    private readonly ILogger _logger;
    private readonly TaskGroup _checks;
    private PeerDirectory? _directory;
    private DialScheduler? _scheduler;
    private static readonly TimeSpan QuietFlushInterval = TimeSpan.FromSeconds(1);
    private readonly Dictionary<Fingerprint, bool> _pendingQuiet = [];
    private readonly CancellationTokenSource _stopFlush = new();
    private QuietTable? _quiet;

    public PeersModule(ModuleContext context)
    {
        _context = context;
        _logger = context.Loggers.CreateLogger<PeersModule>();
        _checks = new TaskGroup(e => LogCheckFailed(_logger, "?", e.Message));
    }

    public string Name => "peers";

    public IReadOnlyList<Migration> Migrations { get; } = [PeerDirectoryStore.At(1), new(2, "quiet peers", QuietTable.Sql)];

    public void RegisterHandlers(ModuleHandlers handlers)
    {
        // No envelope of its own: peer exchange is its module, and feeds this one through IPeerIntake.
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var c = _context;
        var options = c.Options.EffectivePeers;
        _directory = new PeerDirectory(c.Database, options, c.Time, c.Loggers.CreateLogger<PeerDirectory>());
        var hooks = new DialHooks(c.Mesh.Self, c.Options.Sector, DialAsync, f => c.Mesh.Find(f) is not null, c.Node.IsBlocked, () => c.Mesh.Sessions.Count)
        {
            IsOwnAddress = a => a.Port == c.Node.Port && a.Ip is { } ip && OwnAddresses.Contains(ip),
            Sessions = () => [.. c.Mesh.Sessions.Where(s => s.IsOpen).Select(s =>
                new SessionView(s.Fingerprint, s.Direction == SessionDirection.Outbound, c.Node.IsFriend(s.Fingerprint), s.LastActivityAt))],
            Rotate = Rotate,
        };
        _scheduler = new DialScheduler(_directory, hooks, options, c.Time, c.Loggers.CreateLogger<DialScheduler>());

        // Links and exchange entries of earlier runs are in the directory already: with the default fill sources
        // they are redialled (the most recently successful first) up to the target. A deliberate disconnect sticks.
        _quiet = new QuietTable(c.Database);
        _scheduler.RestoreQuiet(_quiet.Load());
        _scheduler.QuietChanged += OnQuietChanged;
        _checks.Track(FlushQuietLoopAsync(_stopFlush.Token));
        var now = c.Time.GetUtcNow();
        var bootstraps = c.Options.Bootstrap.Select(b => PeerAddress.Create(b.Host, b.Port)).ToHashSet();

        // --bootstrap is this run's instruction: an address of an earlier run's flag is dropped (one that answered
        // stays a candidate through its Link source).
        foreach (var stale in _directory.Snapshot().BySource(PeerSource.Bootstrap).Select(b => b.Address).Where(a => !bootstraps.Contains(a)).ToList())
        {
            _directory.SourceLost(stale, PeerSource.Bootstrap);
        }

        foreach (var bootstrap in bootstraps)
        {
            _directory.Add(bootstrap, PeerSource.Bootstrap, null, now);
        }

        c.PeerMap.PeerDiscovered += OnHeard;
        c.PeerMap.PeerUpdated += OnHeard;
        c.PeerMap.PeerLost += OnLost;
        c.PeerMap.PeerNeedsCheck += OnNeedsCheck;
        c.Mesh.SessionOpened += OnSessionOpened;
        c.Mesh.SessionClosed += OnSessionClosed;
        c.Node.PeerConnectedByUser += OnConnectedByUser;
        c.Node.PeerDisconnectedByUser += OnDisconnectedByUser;
        foreach (var peer in c.PeerMap.Snapshot())
        {
            AddHeard(peer);
        }

        _scheduler.Start();
        return Task.CompletedTask;
    }

    public StatusSection? GetStatus()
    {
        if (_scheduler is null)
        {
            return null;
        }

        var s = _scheduler.Status();
        var bySource = s.CandidatesBySource.Where(p => p.Value > 0).OrderBy(p => p.Key)
            .ToDictionary(p => SourceName(p.Key), p => p.Value);
        var total = _directory!.Count;
        var sources = bySource.Count == 0 ? "" : " (" + string.Join(", ", bySource.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value}"))) + ")";
        var options = _context.Options.EffectivePeers;
        var target = options.TargetSessions;
        var sessions = _context.Mesh.Sessions.Count;
        return new StatusSection(
            "dialling",
            [
                new StatusLine("candidates", string.Create(CultureInfo.InvariantCulture, $"{total}{sources}")),
                new StatusLine("target", string.Create(CultureInfo.InvariantCulture,
                    $"{sessions} of {target} sessions{(sessions < target ? ", filling" : "")} (limit {options.MaxSessions})")),
                new StatusLine("dial queue", string.Create(CultureInfo.InvariantCulture,
                    $"{s.Due} due, {s.InFlight} in flight, {s.Reconnecting} reconnecting, {s.Quiet} quiet")),
                new StatusLine("dialling", string.Create(CultureInfo.InvariantCulture,
                    $"{s.Started} dials, {s.Succeeded} ok, {s.Failed} failed")),
                new StatusLine("rotation", string.Create(CultureInfo.InvariantCulture,
                    $"rotations {s.Rotations}; {s.NewCandidates} exchange candidates not met yet")),
            ],
            new Dictionary<string, object?>
            {
                ["candidates"] = total,
                ["candidates_by_source"] = bySource,
                ["sessions"] = sessions,
                ["target_sessions"] = target,
                ["max_sessions"] = options.MaxSessions,
                ["dials_started"] = s.Started,
                ["dials_succeeded"] = s.Succeeded,
                ["dials_failed"] = s.Failed,
                ["dials_in_flight"] = s.InFlight,
                ["dials_due"] = s.Due,
                ["reconnecting"] = s.Reconnecting,
                ["quiet"] = s.Quiet,
                ["rotations"] = s.Rotations,
                ["new_candidates"] = s.NewCandidates,
                ["skipped"] = s.Skipped.Where(p => p.Value > 0).ToDictionary(p => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Key.ToString()), p => p.Value),
            });
    }

    /// <summary>Every candidate of the directory now, for <c>map</c>; null before start.</summary>
    public PeerDirectorySnapshot? Snapshot() => _directory?.Snapshot();

    public bool AddCandidate(PeerAddress address, PeerSource source, Fingerprint expected, PeerHints hints) =>
        _directory?.Add(address, source, expected, _context.Time.GetUtcNow(), hints) ?? false;

    public void MarkQuiet(Fingerprint peer) => _scheduler?.Forget(peer);

    /// <summary>How the node learned of each peer with a known fingerprint: lighthouse, bootstrap, connect, link, exchange.</summary>
    public IReadOnlyDictionary<Fingerprint, IReadOnlyList<string>> SourcesByFingerprint()
    {
        if (_directory is null)
        {
            return new Dictionary<Fingerprint, IReadOnlyList<string>>();
        }

        var snapshot = _directory.Snapshot();
        return snapshot.Candidates.Where(c => c.Expected is not null)
            .GroupBy(c => c.Expected!)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyList<string>)[.. g.SelectMany(c => c.LiveSources(snapshot.At)).Select(e => e.Source).Distinct().Order().Select(SourceName)]);
    }

    public async ValueTask DisposeAsync()
    {
        var c = _context;
        c.PeerMap.PeerDiscovered -= OnHeard;
        c.PeerMap.PeerUpdated -= OnHeard;
        c.PeerMap.PeerLost -= OnLost;
        c.PeerMap.PeerNeedsCheck -= OnNeedsCheck;
        c.Mesh.SessionOpened -= OnSessionOpened;
        c.Mesh.SessionClosed -= OnSessionClosed;
        c.Node.PeerConnectedByUser -= OnConnectedByUser;
        c.Node.PeerDisconnectedByUser -= OnDisconnectedByUser;
        if (_scheduler is not null)
        {
            await _scheduler.DisposeAsync();
            _scheduler.QuietChanged -= OnQuietChanged;
        }

        await _stopFlush.CancelAsync();
        await _checks.WaitAsync(c.Options.EffectiveMesh.SessionCheckTimeout);
        FlushQuiet();
        _stopFlush.Dispose();
        if (_directory is not null)
        {
            await _directory.DisposeAsync();
        }
    }

    private static string SourceName(PeerSource source) => source.ToString().ToLowerInvariant();

    private static HashSet<IPAddress> OwnAddresses { get; } = LocalAddresses();

    private static HashSet<IPAddress> LocalAddresses()
    {
        var set = new HashSet<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback };
        try
        {
            foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var a in nic.GetIPProperties().UnicastAddresses)
                {
                    set.Add(Endpoints.Normalize(a.Address));
                }
            }
        }
        catch (System.Net.NetworkInformation.NetworkInformationException)
        {
            // Without the list, only loopback counts as this host; the handshake still refuses a self-connection.
        }

        return set;
    }

    private async Task<DialOutcome> DialAsync(DialRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var session = await _context.Mesh.ConnectAsync(request.Address.Host, request.Address.Port, request.Expected, cancellationToken);
            return DialOutcome.Connected(session.Fingerprint);
        }
        catch (ConnectException e)
        {
            LogDialFailed(_logger, request.Address.ToString(), e.Message);
            return DialOutcome.Failed((e.InnerException as HandshakeFailedException)?.Reason switch
            {
                HandshakeFailure.SelfConnection => DialFailure.Self,
                HandshakeFailure.UnexpectedPeer => DialFailure.FingerprintMismatch,
                HandshakeFailure.BlockedPeer or HandshakeFailure.ConnectionClosed => DialFailure.Refused,
                null => e.Message.Contains("session refused", StringComparison.Ordinal) ? DialFailure.Refused : DialFailure.Unreachable,
                _ => DialFailure.HandshakeFailed,
            });
        }
    }

    // Session rotation's close: an orderly Goodbye, off the scheduler's loop (the close waits for the peer's reply).
    private void Rotate(Fingerprint peer)
    {
        if (_context.Mesh.Find(peer) is { } session)
        {
            _checks.Track(session.CloseAsync(GoodbyeReason.Rotating, CancellationToken.None));
        }
    }

    private void OnHeard(object? sender, LighthousePeerEventArgs e)
    {
        if (e.Change is PeerChange.SessionUp or PeerChange.SessionDown)
        {
            return;
        }

        AddHeard(e.Peer);
        if (e.Change is PeerChange.Discovered or PeerChange.Restarted)
        {
            _scheduler?.HeardAnew(e.Peer.Fingerprint);
        }
    }

    private void AddHeard(LighthousePeer peer) =>
        _directory?.Add(PeerAddress.From(peer.Address), PeerSource.Lighthouse, peer.Fingerprint, _context.Time.GetUtcNow(), new PeerHints(peer.Sector, peer.NodeId));

    private void OnLost(object? sender, LighthousePeerEventArgs e) => _directory?.SourceLost(e.Peer.Fingerprint, PeerSource.Lighthouse);

    private void OnNeedsCheck(object? sender, LighthousePeerEventArgs e)
    {
        var session = _context.Mesh.Find(e.Peer.Fingerprint);
        if (session is not null)
        {
            _checks.Track(CheckAsync(session));
        }
        else if (e.Candidate is not null && e.Change != PeerChange.Goodbye)
        {
            // A verified peer heard at a new address: a candidate there, dialled only with the verified fingerprint.
            _directory?.Add(PeerAddress.From(e.Candidate), PeerSource.Lighthouse, e.Peer.Fingerprint, _context.Time.GetUtcNow(),
                new PeerHints(e.Peer.Sector, e.Peer.NodeId));
            _scheduler?.HeardAnew(e.Peer.Fingerprint);
        }
    }

    private async Task CheckAsync(PeerSession session)
    {
        using var timeout = new CancellationTokenSource(_context.Options.EffectiveMesh.SessionCheckTimeout, _context.Time);
        try
        {
            await session.PingAsync(timeout.Token);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or SessionClosedException or IOException
            or ObjectDisposedException or InvalidOperationException)
        {
            // InvalidOperationException: the peer answered the Ping with something else (an Error): not a live peer.
            LogCheckFailed(_logger, session.Fingerprint.Short, e is OperationCanceledException ? "no answer to ping" : e.Message);
            await session.CloseAsync(GoodbyeReason.NoPingAnswer, CancellationToken.None);
        }
    }

    private void OnSessionOpened(PeerSession session)
    {
        _context.PeerMap.MarkSessionUp(new VerifiedPeer(session.Fingerprint, session.NodeId, session.Sector, session.Peer.ListenPort), session.Remote.Address);
        if (session.Direction == SessionDirection.Outbound && session.DialAddress is { } dial)
        {
            // A session this node dialled is a link to redial if it is lost, after its beacons stop too.
            _directory?.Add(PeerAddress.From(dial), PeerSource.Link, session.Fingerprint, _context.Time.GetUtcNow(), new PeerHints(session.Sector, session.NodeId));
        }

        _scheduler?.SessionStarted(session.Fingerprint);
    }

    private void OnSessionClosed(PeerSession session)
    {
        _context.PeerMap.MarkSessionDown(session.Fingerprint);
        if (session.CloseInfo is { } info)
        {
            _scheduler?.SessionEnded(session.Fingerprint, Cause(info), session.Direction == SessionDirection.Outbound);
        }
    }

    /// <summary>The mesh's reading of a close, in the scheduler's terms.</summary>
    internal static SessionEndCause Cause(SessionCloseInfo info) => info.Kind switch
    {
        SessionCloseKind.IdleTimeout => SessionEndCause.IdleTimeout,
        SessionCloseKind.SendStalled => SessionEndCause.SendStalled,
        SessionCloseKind.Violation => SessionEndCause.Violation,
        _ => GoodbyeReason.Classify(info) switch
        {
            SessionEnd.Lost => SessionEndCause.ConnectionLost,
            SessionEnd.PeerShuttingDown => SessionEndCause.PeerShuttingDown,
            SessionEnd.PeerLeft => SessionEndCause.PeerLeft,
            SessionEnd.ClosedByUser => SessionEndCause.ClosedByUser,
            SessionEnd.LocalShutdown => SessionEndCause.LocalShutdown,
            _ when info.Reason == GoodbyeReason.Duplicate => SessionEndCause.Duplicate,
            _ => SessionEndCause.Evicted,
        },
    };

    private void OnConnectedByUser(PeerSession session, string host, int port)
    {
        _directory?.Add(PeerAddress.Create(host, port), PeerSource.Connect, session.Fingerprint, _context.Time.GetUtcNow(),
            new PeerHints(session.Sector, session.NodeId));
        _scheduler?.ConnectedByUser(session.Fingerprint);
    }

    private void OnDisconnectedByUser(Fingerprint fingerprint) => _scheduler?.Forget(fingerprint);

    // Raised on session threads (a session opening lifts a mark, a Goodbye sets one): the write is coalesced per
    // peer and made by the flush loop, so no SQLite transaction sits on the handshake or close path.
    private void OnQuietChanged(Fingerprint peer, bool quiet)
    {
        lock (_pendingQuiet)
        {
            _pendingQuiet[peer] = quiet;
        }
    }

    private async Task FlushQuietLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(QuietFlushInterval, _context.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                FlushQuiet();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: DisposeAsync flushes what is left.
        }
    }

    private void FlushQuiet()
    {
        KeyValuePair<Fingerprint, bool>[] marks;
        lock (_pendingQuiet)
        {
            marks = [.. _pendingQuiet];
            _pendingQuiet.Clear();
        }

        if (marks.Length == 0 || _quiet is null)
        {
            return;
        }

        try
        {
            _quiet.SetAll(marks, _context.Time.GetUtcNow());
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            // The marks still hold for this run; only their survival across a restart is lost.
            LogQuietNotSaved(_logger, marks[0].Key.Short, e.Message);
        }
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "Session with {Fingerprint} failed its check: {Reason}")]
    private static partial void LogCheckFailed(ILogger logger, string fingerprint, string reason);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Debug, Message = "Dial to {Address} failed: {Reason}")]
    private static partial void LogDialFailed(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Quiet mark of {Fingerprint} not saved: {Reason}")]
    private static partial void LogQuietNotSaved(ILogger logger, string fingerprint, string reason);
}
