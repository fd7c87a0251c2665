using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Common;
using OpenRed.Core.Identity;
using OpenRed.Core.Mesh.Internal;
using OpenRed.Core.Mesh.Transport;
using OpenRed.Core.Security;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Mesh;

/// <summary>
/// The node's sessions, composed from four parts with one job each: the TCP transport (listen, accept, dial),
/// session establishment (admission, handshake), the session table (one per peer, slots, duplicate rule) and the
/// envelope router (kind → module). This type only wires them and raises the session events.
/// </summary>
internal sealed partial class MeshService : IAsyncDisposable
{
    private readonly LocalIdentity _local;
    private readonly MeshOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILogger _sessionLogger;
    private readonly SessionTable _table;
    private readonly SessionEstablishment _establishment;
    private readonly EnvelopeRouter _router = new();
    private readonly LinkRecorder? _links;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskGroup _tasks;
    private TcpTransport? _transport;
    private int _disposed;
    private int _linkWriterStarted;

    public MeshService(
        LocalIdentity local, MeshOptions options, LinkStore? links, TimeProvider time, ILoggerFactory loggers,
        Func<Fingerprint, bool>? isBlocked = null, Func<Fingerprint, bool>? isFriend = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _local = local;
        _options = options;
        _time = time;
        _logger = loggers.CreateLogger<MeshService>();
        _sessionLogger = loggers.CreateLogger<SecureSession>();
        _tasks = new TaskGroup(e => LogTaskFailed(_logger, e));
        _table = new SessionTable(local.Keys.Fingerprint, options, isFriend);
        _establishment = new SessionEstablishment(local, options, _table, isBlocked ?? (static _ => false), Counters, time, _logger);
        if (links is not null)
        {
            _links = new LinkRecorder(links, time, _logger);
            _links.ImpersonationSuspected += w => ImpersonationSuspected?.Invoke(w);
        }
    }

    /// <summary>A session became live (after the duplicate rule and slot limits). Raised on the session's thread: be quick.</summary>
    public event Action<PeerSession>? SessionOpened;

    /// <summary>A live session ended; its <see cref="PeerSession.CloseInfo"/> says why.</summary>
    public event Action<PeerSession>? SessionClosed;

    /// <summary>A node-id arrived with a fingerprint other than the one pinned to it.</summary>
    public event Action<ImpersonationWarning>? ImpersonationSuspected;

    public MeshCounters Counters { get; } = new();

    public Fingerprint Self => _local.Keys.Fingerprint;

    public IReadOnlyList<PeerSession> Sessions => _table.Snapshot();

    public int HandshakesInProgress => _establishment.InProgress;

    public PeerSession? Find(Fingerprint fingerprint) => _table.Find(fingerprint);

    /// <summary>Writes every link write queued so far (sessions opened and closed) before returning.</summary>
    public void FlushLinks() => _links?.Flush();

    /// <summary>Routes envelopes of one body kind to a module. Only before the mesh starts accepting or dialling.</summary>
    /// <exception cref="InvalidOperationException">The mesh has started, or the kind has a handler already.</exception>
    public void Handle(Envelope.BodyOneofCase body, EnvelopeHandler handler) => _router.Register(body, handler);

    /// <summary>Closes handler registration and accepts on <paramref name="transport"/> until disposed.</summary>
    public void Start(TcpTransport transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _router.Seal();
        _transport = transport;
        StartLinkWriter();
        _tasks.Track(transport.AcceptLoopAsync(OnAccepted, _logger, _time, _stopping.Token));
    }

    /// <summary>As <see cref="Start"/>, over an accept function someone else owns (tests, benchmarks).</summary>
    public void StartAccepting(Func<CancellationToken, ValueTask<Socket>> accept)
    {
        ArgumentNullException.ThrowIfNull(accept);
        Start(TcpTransport.Over(accept));
    }

    /// <summary>Dials <paramref name="host"/>:<paramref name="port"/> (a host name is resolved now) and returns the live session.</summary>
    /// <exception cref="ConnectException">Unreachable, refused, or the handshake failed; the message says which.</exception>
    public async Task<PeerSession> ConnectAsync(string host, int port, Fingerprint? expected, CancellationToken cancellationToken)
    {
        var addresses = await TcpTransport.ResolveAsync(host, cancellationToken);
        ConnectException? last = null;
        foreach (var address in addresses)
        {
            try
            {
                return await ConnectAsync(new IPEndPoint(address, port), expected, cancellationToken);
            }
            catch (ConnectException e)
            {
                last = e;
            }
        }

        throw last!;
    }

    /// <summary>Dials one address; with <paramref name="expected"/>, only that fingerprint is accepted.</summary>
    /// <exception cref="ConnectException">Unreachable, refused, or the handshake failed; the message says which.</exception>
    public async Task<PeerSession> ConnectAsync(IPEndPoint endpoint, Fingerprint? expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (expected is not null && expected == Self)
        {
            throw new ConnectException("that is this node's own fingerprint");
        }

        _router.Seal();
        StartLinkWriter();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var remote = Endpoints.Normalize(endpoint);
        var socket = await TcpTransport.ConnectAsync(endpoint, _options.ConnectTimeout, linked.Token);
        var stream = new NetworkStream(socket, ownsSocket: true);
        var result = await _establishment.InitiateAsync(stream, remote, expected, linked.Token);
        var session = Admit(stream, result, SessionDirection.Outbound, remote);
        if (session is not null)
        {
            // A dial someone asked for returns with its link on disk and any impersonation warning raised.
            _links?.Flush();
            return session;
        }

        // The duplicate rule may keep the session the peer opened to us at the same moment: that one serves.
        return _table.Find(result.Peer.Fingerprint)
            ?? throw new ConnectException($"{Endpoints.Format(remote)}: session refused: this node or the peer has no free session slot");
    }

    /// <summary>Closes a session with Goodbye. Returns false when it was no longer open.</summary>
    public async Task<bool> DisconnectAsync(PeerSession session, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (!session.IsOpen)
        {
            return false;
        }

        await session.CloseAsync(reason, cancellationToken);
        if (session.Completion.IsCompleted)
        {
            // The session's Closed event runs just after its completion, on another thread: announce the close here
            // (once; the event then finds it done), so whoever asked sees the session gone when this returns.
            OnClosed(session);
        }

        return true;
    }

    /// <summary>Stops accepting, says goodbye on every session at once (bounded by the session options), and waits.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        var sessions = _table.Snapshot();
        await TaskGroup.WaitQuietlyAsync(sessions.Select(s => CloseQuietlyAsync(s.Secure, GoodbyeReason.ShuttingDown)), _options.ShutdownGoodbyeTimeout);

        // A session whose Goodbye did not get through in time is cut: its peer sees the connection drop now, not at
        // its idle timeout, and no socket outlives the mesh.
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        var stuck = sessions.Where(s => !s.Completion.IsCompleted).Select(s => AbortQuietlyAsync(s.Secure, now.Token));
        await TaskGroup.WaitQuietlyAsync(stuck, _options.ShutdownGoodbyeTimeout);
        await _tasks.WaitAsync(_options.ShutdownGoodbyeTimeout);
        _links?.Close();
        _stopping.Dispose();
    }

    // The link writer runs from the first accept or dial until the mesh stops.
    private void StartLinkWriter()
    {
        if (_links is not null && Interlocked.Exchange(ref _linkWriterStarted, 1) == 0)
        {
            _tasks.Track(_links.RunAsync(_stopping.Token));
        }
    }

    private void OnAccepted(Socket socket, IPEndPoint remote)
    {
        var ticket = _establishment.Admit(remote);
        if (ticket is null)
        {
            socket.Dispose();
            return;
        }

        _tasks.Track(RespondAsync(socket, remote, ticket, _stopping.Token));
    }

    private async Task RespondAsync(Socket socket, IPEndPoint remote, InboundAdmission.Ticket ticket, CancellationToken cancellationToken)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        var result = await _establishment.RespondAsync(stream, remote, ticket, cancellationToken);
        if (result is not null)
        {
            Admit(stream, result, SessionDirection.Inbound, remote);
        }
    }

    private PeerSession? Admit(Stream stream, HandshakeResult result, SessionDirection direction, IPEndPoint remote)
    {
        // The router may see the first envelope before Start returns: both sides build the one PeerSession lazily.
        var slot = new SessionSlot(direction, remote, _time.GetUtcNow());
        var secure = SecureSession.Start(
            stream, result.Keys, direction == SessionDirection.Outbound, result.Peer, _options.Session, _time, _sessionLogger,
            (s, e, cancellationToken) => _router.DispatchAsync(slot.Get(s), e, cancellationToken));
        var session = slot.Get(secure);
        if (!_table.TryAdd(session, out var displaced, out var refusal))
        {
            if (refusal == GoodbyeReason.Duplicate)
            {
                Counters.DuplicateClosed();
            }
            else
            {
                Counters.SessionRefused(refusal!);
            }

            LogSessionRefused(_logger, result.Peer.NodeId, result.Peer.Fingerprint.Short, refusal!);
            _tasks.Track(CloseQuietlyAsync(secure, refusal!));
            return null;
        }

        secure.Closed += _ => OnClosed(session);
        if (!secure.IsOpen)
        {
            // It closed before we subscribed: Closed has already fired.
            OnClosed(session);
            return null;
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            // The mesh began stopping after this handshake finished but before it was admitted, so the table it
            // closes may not hold this session: close it here, or its peer would keep it until its idle timeout.
            _tasks.Track(CloseQuietlyAsync(secure, GoodbyeReason.ShuttingDown));
        }

        if (displaced is not null)
        {
            var duplicate = displaced.Fingerprint == session.Fingerprint;
            if (duplicate)
            {
                Counters.DuplicateClosed();
            }
            else
            {
                Counters.SessionRefused("room made for a friend");
            }

            _tasks.Track(CloseQuietlyAsync(displaced.Secure, duplicate ? GoodbyeReason.Duplicate : GoodbyeReason.SessionLimit));
        }

        _links?.Opened(session);
        LogSessionOpened(_logger, result.Peer.NodeId, result.Peer.Fingerprint.Short, direction.ToString(), Endpoints.Format(remote));
        Raise(SessionOpened, session);
        return session;
    }

    private void OnClosed(PeerSession session)
    {
        if (_table.Remove(session))
        {
            var info = session.CloseInfo;
            if (info?.Kind == SessionCloseKind.Violation)
            {
                Counters.Violation();
            }

            LogSessionClosed(_logger, session.NodeId, session.Fingerprint.Short, info?.Kind.ToString() ?? "?", info?.Reason ?? "");
            _links?.Closed(session);
            Raise(SessionClosed, session);
        }
    }

    // A subscriber that throws must not leave the session half-announced or kill the session's thread.
    private void Raise(Action<PeerSession>? handlers, PeerSession session)
    {
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList().Cast<Action<PeerSession>>())
        {
            try
            {
                handler(session);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogSubscriberFailed(_logger, session.Fingerprint.Short, e);
            }
        }
    }

    private static async Task CloseQuietlyAsync(SecureSession session, string reason)
    {
        try
        {
            await session.CloseAsync(reason, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or SessionClosedException or ObjectDisposedException or OperationCanceledException)
        {
            // Closing is best effort: the peer drops us on connection loss anyway.
        }
    }

    private static async Task AbortQuietlyAsync(SecureSession session, CancellationToken cancelled)
    {
        try
        {
            // A cancelled token makes CloseAsync skip the flush and close the stream at once.
            await session.CloseAsync(GoodbyeReason.ShuttingDown, cancelled);
        }
        catch (Exception e) when (e is IOException or SessionClosedException or ObjectDisposedException or OperationCanceledException)
        {
            // Aborting is best effort too.
        }
    }

    /// <summary>Builds the one <see cref="PeerSession"/> of a secure session, whichever asks first.</summary>
    private sealed class SessionSlot(SessionDirection direction, IPEndPoint remote, DateTimeOffset startedAt)
    {
        private PeerSession? _session;

        public PeerSession Get(SecureSession secure)
        {
            var existing = Volatile.Read(ref _session);
            if (existing is not null)
            {
                return existing;
            }

            var created = new PeerSession(secure, direction, remote, startedAt);
            return Interlocked.CompareExchange(ref _session, created, null) ?? created;
        }
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Session with {NodeId} ({Fingerprint}) opened, {Direction}, {Remote}")]
    private static partial void LogSessionOpened(ILogger logger, string nodeId, string fingerprint, string direction, string remote);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Session with {NodeId} ({Fingerprint}) closed: {Kind} {Reason}")]
    private static partial void LogSessionClosed(ILogger logger, string nodeId, string fingerprint, string kind, string reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Session with {NodeId} ({Fingerprint}) not kept: {Reason}")]
    private static partial void LogSessionRefused(ILogger logger, string nodeId, string fingerprint, string reason);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Error, Message = "A session event subscriber failed for {Fingerprint}")]
    private static partial void LogSubscriberFailed(ILogger logger, string fingerprint, Exception e);

    [LoggerMessage(EventId = 4009, Level = LogLevel.Error, Message = "A mesh task failed")]
    private static partial void LogTaskFailed(ILogger logger, Exception e);
}
