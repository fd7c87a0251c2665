using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Identity;
using OpenRed.Core.Mesh.Internal;
using OpenRed.Core.Security;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Mesh;

/// <summary>
/// The node's sessions: accepts and dials TCP connections, runs the handshake, keeps one session per peer
/// (slot limits, duplicate rule), records links, and routes envelopes to the subsystems that registered for them.
/// </summary>
public sealed partial class MeshService : IAsyncDisposable
{
    private readonly LocalIdentity _local;
    private readonly MeshOptions _options;
    private readonly LinkStore? _links;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILogger _sessionLogger;
    private readonly SessionTable _table;
    private readonly InboundAdmission _admission;
    private readonly Func<Fingerprint, bool> _isBlocked;
    private readonly Dictionary<Envelope.BodyOneofCase, SessionRequestHandler> _handlers = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private readonly HashSet<Task> _connections = [];
    private readonly Lock _lock = new();
    private int _disposed;

    public MeshService(
        LocalIdentity local, MeshOptions options, LinkStore? links, TimeProvider time, ILoggerFactory loggers,
        Func<Fingerprint, bool>? isBlocked = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _local = local;
        _options = options;
        _links = links;
        _time = time;
        _logger = loggers.CreateLogger<MeshService>();
        _sessionLogger = loggers.CreateLogger<SecureSession>();
        _table = new SessionTable(local.Keys.Fingerprint, options);
        _admission = new InboundAdmission(options, time);
        _isBlocked = isBlocked ?? (_ => false);
    }

    /// <summary>A session became live (after the duplicate rule and slot limits).</summary>
    public event Action<PeerSession>? SessionOpened;

    /// <summary>A live session ended; its <see cref="SecureSession.CloseInfo"/> says why.</summary>
    public event Action<PeerSession>? SessionClosed;

    /// <summary>A node-id arrived with a fingerprint other than the one linked to it before.</summary>
    public event Action<ImpersonationWarning>? ImpersonationSuspected;

    public MeshCounters Counters { get; } = new();

    public Fingerprint Self => _local.Keys.Fingerprint;

    public IReadOnlyList<PeerSession> Sessions => _table.Snapshot();

    public int HandshakesInProgress => _admission.InProgress;

    public PeerSession? Find(Fingerprint fingerprint) => _table.Find(fingerprint);

    /// <summary>Routes envelopes of one body kind to a subsystem. Register before sessions start.</summary>
    public void Handle(Envelope.BodyOneofCase body, SessionRequestHandler handler)
    {
        lock (_lock)
        {
            _handlers[body] = handler;
        }
    }

    /// <summary>Starts the accept loop on a bound, listening socket source.</summary>
    public void StartAccepting(Func<CancellationToken, ValueTask<Socket>> accept)
    {
        ArgumentNullException.ThrowIfNull(accept);
        lock (_lock)
        {
            _loops.Add(AcceptLoopAsync(accept, _stopping.Token));
        }
    }

    /// <summary>Dials <paramref name="host"/>:<paramref name="port"/> (a host name is resolved now) and returns the live session.</summary>
    /// <exception cref="ConnectException">Unreachable, refused, or the handshake failed; the message says which.</exception>
    public async Task<PeerSession> ConnectAsync(string host, int port, Fingerprint? expected, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
            }
            catch (SocketException e)
            {
                throw new ConnectException($"cannot resolve {host}: {e.Message}", e);
            }
        }

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

        throw last ?? new ConnectException($"{host} has no address");
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

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(linked.Token))
            {
                connectTimeout.CancelAfter(_options.ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(endpoint, connectTimeout.Token);
                }
                catch (OperationCanceledException) when (!linked.IsCancellationRequested)
                {
                    throw new ConnectException($"{Format(endpoint)}: no answer within {_options.ConnectTimeout.TotalSeconds:0} s");
                }
                catch (SocketException e)
                {
                    throw new ConnectException($"{Format(endpoint)}: {Describe(e)}", e);
                }
            }

            var stream = new NetworkStream(socket, ownsSocket: true);
            HandshakeResult result;
            try
            {
                result = await Handshake.InitiateAsync(stream, _local, expected, _options.Handshake, _time, linked.Token);
            }
            catch (HandshakeFailedException e)
            {
                Counters.HandshakeFailed();
                LogHandshakeFailed(_logger, Format(endpoint), "initiator", e.Message);
                await stream.DisposeAsync();
                throw new ConnectException($"{Format(endpoint)}: handshake failed: {e.Message}", e);
            }

            Counters.HandshakeCompleted();
            var session = Admit(stream, result, SessionDirection.Outbound, Normalize(endpoint));
            if (session is not null)
            {
                return session;
            }

            // The duplicate rule may keep the session the peer opened to us at the same moment: that one serves.
            return _table.Find(result.Peer.Fingerprint)
                ?? throw new ConnectException($"{Format(endpoint)}: session refused: this node or the peer has no free session slot");
        }
        catch (Exception e) when (e is not ConnectException and not OperationCanceledException)
        {
            socket.Dispose();
            throw new ConnectException($"{Format(endpoint)}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Closes a session with Goodbye. Returns false when it was no longer open.</summary>
    public async Task<bool> DisconnectAsync(PeerSession session, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (!session.Secure.IsOpen)
        {
            return false;
        }

        await session.Secure.CloseAsync(reason, cancellationToken);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        Task[] loops;
        lock (_lock)
        {
            loops = [.. _loops, .. _connections];
        }

        foreach (var s in _table.Snapshot())
        {
            try
            {
                await s.Secure.CloseAsync(Reconnector.ShutdownReason, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (Exception e) when (e is TimeoutException or SessionClosedException or IOException or ObjectDisposedException)
            {
                // Best effort: the peer drops us on connection loss anyway.
            }
        }

        await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(static _ => { }, TaskScheduler.Default);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Func<CancellationToken, ValueTask<Socket>> accept, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await accept(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Resource exhaustion (EMFILE) and aborted connections must not stop the listener.
                LogAcceptFailed(_logger, e.SocketErrorCode.ToString());
                await Task.Delay(TimeSpan.FromMilliseconds(50), _time, ct).ContinueWith(static _ => { }, TaskScheduler.Default);
                continue;
            }

            var remote = Normalize((IPEndPoint)socket.RemoteEndPoint!);
            var ticket = _admission.TryAdmit(remote.Address, out var refusal);
            if (ticket is null)
            {
                Counters.ConnectionRefused();
                LogConnectionRefused(_logger, Format(remote), refusal!);
                socket.Dispose();
                continue;
            }

            socket.NoDelay = true;
            var task = RespondAsync(socket, remote, ticket, ct);
            lock (_lock)
            {
                _connections.Add(task);
            }

            _ = task.ContinueWith(
                t =>
                {
                    lock (_lock)
                    {
                        _connections.Remove(t);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task RespondAsync(Socket socket, IPEndPoint remote, InboundAdmission.Ticket ticket, CancellationToken ct)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        HandshakeResult result;
        using (ticket)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, ticket.Evicted);
            try
            {
                result = await Handshake.RespondAsync(stream, _local, _isBlocked, _options.Handshake, _time, linked.Token);
            }
            catch (Exception e) when (e is HandshakeFailedException or OperationCanceledException)
            {
                if (e is HandshakeFailedException)
                {
                    Counters.HandshakeFailed();
                    LogHandshakeFailed(_logger, Format(remote), "responder", e.Message);
                }
                else if (ticket.Evicted.IsCancellationRequested)
                {
                    Counters.HandshakeFailed();
                    LogHandshakeFailed(_logger, Format(remote), "responder", "dropped to make room for newer handshakes");
                }

                await stream.DisposeAsync();
                return;
            }
        }

        Counters.HandshakeCompleted();
        Admit(stream, result, SessionDirection.Inbound, remote);
    }

    private PeerSession? Admit(Stream stream, HandshakeResult result, SessionDirection direction, IPEndPoint remote)
    {
        var secure = SecureSession.Start(
            stream, result.Keys, direction == SessionDirection.Outbound, result.Peer, _options.Session, _time, _sessionLogger, DispatchAsync);
        var session = new PeerSession(secure, direction, remote, _time.GetUtcNow());
        if (!_table.TryAdd(session, out var displaced, out var refusal))
        {
            if (refusal == "duplicate session")
            {
                Counters.DuplicateClosed();
            }
            else
            {
                Counters.SessionRefused();
            }

            LogSessionRefused(_logger, result.Peer.NodeId, result.Peer.Fingerprint.Short, refusal!);
            _ = CloseQuietlyAsync(secure, refusal!);
            return null;
        }

        secure.Closed += _ => OnClosed(session);
        if (!secure.IsOpen)
        {
            // It closed before we subscribed: Closed has already fired.
            OnClosed(session);
            return null;
        }

        if (displaced is not null)
        {
            Counters.DuplicateClosed();
            _ = CloseQuietlyAsync(displaced.Secure, "duplicate session");
        }

        RecordLink(session);
        LogSessionOpened(_logger, result.Peer.NodeId, result.Peer.Fingerprint.Short, direction.ToString(), Format(remote));
        SessionOpened?.Invoke(session);
        return session;
    }

    private void RecordLink(PeerSession session)
    {
        if (_links is null)
        {
            return;
        }

        var dial = session.DialAddress;
        try
        {
            var others = _links.Record(session.Peer, (dial?.Address ?? session.Remote.Address).ToString(), dial?.Port ?? 0, _time.GetUtcNow());
            if (others.Count > 0)
            {
                LogImpersonation(_logger, session.Peer.NodeId, session.Fingerprint.Hex, string.Join(", ", others.Select(f => f.Short)));
                ImpersonationSuspected?.Invoke(new ImpersonationWarning(session.Peer.NodeId, session.Fingerprint, others));
            }
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            LogLinkNotStored(_logger, session.Fingerprint.Short, e.Message);
        }
    }

    private void OnClosed(PeerSession session)
    {
        if (_table.Remove(session))
        {
            var info = session.Secure.CloseInfo;
            LogSessionClosed(_logger, session.Peer.NodeId, session.Fingerprint.Short, info?.Kind.ToString() ?? "?", info?.Reason ?? "");
            try
            {
                _links?.Touch(session.Fingerprint, _time.GetUtcNow());
            }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                LogLinkNotStored(_logger, session.Fingerprint.Short, e.Message);
            }

            SessionClosed?.Invoke(session);
        }
    }

    private ValueTask DispatchAsync(SecureSession session, Envelope envelope, CancellationToken ct)
    {
        SessionRequestHandler? handler;
        lock (_lock)
        {
            _handlers.TryGetValue(envelope.BodyCase, out handler);
        }

        if (handler is not null)
        {
            return handler(session, envelope, ct);
        }

        // A body this node knows but whose subsystem is not running here yet.
        return envelope.Id != 0
            ? session.ReplyAsync(envelope, new Envelope { Error = new Error { Code = ErrorCode.Unsupported, Message = "not supported by this node" } }, ct)
            : ValueTask.CompletedTask;
    }

    private static async Task CloseQuietlyAsync(SecureSession session, string reason)
    {
        try
        {
            await session.CloseAsync(reason, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or SessionClosedException or ObjectDisposedException or OperationCanceledException)
        {
            // Closing is best effort.
        }
    }

    private static IPEndPoint Normalize(IPEndPoint ep) => new(AddressPrefix.Normalize(ep.Address), ep.Port);

    internal static string Format(IPEndPoint ep) =>
        ep.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ep.Address}]:{ep.Port}" : $"{ep.Address}:{ep.Port}";

    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused (no openred listening there?)",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "unreachable",
        SocketError.TimedOut => "timed out",
        _ => e.Message,
    };

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Session with {NodeId} ({Fingerprint}) opened, {Direction}, {Remote}")]
    private static partial void LogSessionOpened(ILogger logger, string nodeId, string fingerprint, string direction, string remote);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Session with {NodeId} ({Fingerprint}) closed: {Kind} {Reason}")]
    private static partial void LogSessionClosed(ILogger logger, string nodeId, string fingerprint, string kind, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "Handshake with {Remote} failed as {Role}: {Reason}")]
    private static partial void LogHandshakeFailed(ILogger logger, string remote, string role, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "Connection from {Remote} refused: {Reason}")]
    private static partial void LogConnectionRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Session with {NodeId} ({Fingerprint}) not kept: {Reason}")]
    private static partial void LogSessionRefused(ILogger logger, string nodeId, string fingerprint, string reason);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Possible impersonation: node-id {NodeId} arrived with fingerprint {Fingerprint}, linked before to {Known}")]
    private static partial void LogImpersonation(ILogger logger, string nodeId, string fingerprint, string known);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Link of {Fingerprint} not stored: {Reason}")]
    private static partial void LogLinkNotStored(ILogger logger, string fingerprint, string reason);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Accept failed: {Error}")]
    private static partial void LogAcceptFailed(ILogger logger, string error);
}
