using System.Collections.Concurrent;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Security.Internal;
using OpenRed.Core.Wire;
using OpenRed.Core.Wire.Internal;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Security;

/// <summary>
/// The secure session of section 6 over one connected stream: one receive loop, one send loop behind a bounded
/// queue, and a tick of the process-wide heartbeat (<see cref="SessionHeartbeat"/>) for deadlines, liveness and
/// rekeying. Owns the stream and closes it in one place.
/// </summary>
public sealed partial class SecureSession : IAsyncDisposable, IHeartbeatTarget
{
    private readonly Stream _stream;
    private readonly FrameCipher _sendCipher;
    private readonly FrameCipher _receiveCipher;
    private readonly SessionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SessionRequestHandler _handler;
    private readonly Channel<SessionOutgoing> _sendQueue;
    private readonly SessionSendBudget _sendBudget;
    private readonly EnvelopeGuard _guard;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly CancellationToken _token;
    private readonly SessionHeartbeat _heartbeat;
    private readonly TaskCompletionSource _confirmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _abortRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<ulong, SessionPendingRequest> _outgoing = new();
    private readonly ConcurrentDictionary<ulong, SessionIncomingRequest> _incoming = new();
    private readonly ConcurrentDictionary<long, Task> _handlers = new();
    private readonly string _peerLabel;
    private long _nextId;
    private long _handlerSeq;
    private long _bytesIn;
    private long _bytesOut;
    private long _framesIn;
    private long _framesOut;
    private long _rekeysSent;
    private long _rekeysReceived;
    private long _lastReceivedTicks;
    private long _lastSentTicks;
    private long _sendKeySinceTicks;
    private long _roundTripTicks = -1;
    private int _livenessPingQueued;
    private int _rekeyCheckQueued;
    private SessionCloseInfo? _closeInfo;
    private Task _run = Task.CompletedTask;
    private Task _readStage = Task.CompletedTask;
    private FrameReader? _frameReader;
    private long _writeStartedTicks;

    /// <summary>The session whose handler is running on this flow, so CloseAsync from a handler does not wait on itself.</summary>
    private static readonly AsyncLocal<SecureSession?> HandlerScope = new();

    private SecureSession(
        Stream stream, SessionKeys keys, bool isInitiator, PeerIdentity peer, SessionOptions options,
        TimeProvider time, ILogger logger, SessionRequestHandler handler)
    {
        _stream = stream;
        IsInitiator = isInitiator;
        Peer = peer;
        _options = options;
        _time = time;
        _logger = logger;
        _handler = handler;
        _token = _lifetime.Token;
        SessionIdHex = Convert.ToHexStringLower(keys.SessionId);
        _peerLabel = $"{peer.NodeId} {peer.Fingerprint.Short}";
        _sendCipher = new FrameCipher(isInitiator ? keys.InitiatorToResponder : keys.ResponderToInitiator);
        _receiveCipher = new FrameCipher(isInitiator ? keys.ResponderToInitiator : keys.InitiatorToResponder);
        _sendQueue = Channel.CreateBounded<SessionOutgoing>(new BoundedChannelOptions(options.SendQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _sendBudget = new SessionSendBudget(options.SendQueueBytes);
        _guard = ReferenceEquals(options.EnvelopeLimits, EnvelopeLimits.Default) ? EnvelopeGuard.Default : new EnvelopeGuard(options.EnvelopeLimits);
        StartedAt = time.GetUtcNow();
        _lastReceivedTicks = StartedAt.UtcTicks;
        _lastSentTicks = StartedAt.UtcTicks;
        _sendKeySinceTicks = StartedAt.UtcTicks;
        _heartbeat = SessionHeartbeat.For(time, options.HousekeepingInterval);
    }

    /// <summary>Raised once, after the session has closed, its stream is shut and <see cref="Completion"/> has completed.</summary>
    public event Action<SecureSession>? Closed;

    public PeerIdentity Peer { get; }

    public bool IsInitiator { get; }

    /// <summary>The handshake's session id in lowercase hex, for logs.</summary>
    public string SessionIdHex { get; }

    public DateTimeOffset StartedAt { get; }

    public DateTimeOffset LastReceivedAt => new(Volatile.Read(ref _lastReceivedTicks), TimeSpan.Zero);

    public DateTimeOffset LastSentAt => new(Volatile.Read(ref _lastSentTicks), TimeSpan.Zero);

    public DateTimeOffset LastActivityAt => LastReceivedAt > LastSentAt ? LastReceivedAt : LastSentAt;

    /// <summary>The latest round-trip time a Pong yielded, or null before the first.</summary>
    public TimeSpan? RoundTripTime
    {
        get
        {
            var ticks = Volatile.Read(ref _roundTripTicks);
            return ticks < 0 ? null : TimeSpan.FromTicks(ticks);
        }
    }

    /// <summary>Frame bytes (length prefix included) received and written.</summary>
    public long BytesIn => Interlocked.Read(ref _bytesIn);

    public long BytesOut => Interlocked.Read(ref _bytesOut);

    public long FramesIn => Interlocked.Read(ref _framesIn);

    public long FramesOut => Interlocked.Read(ref _framesOut);

    public long RekeysSent => Interlocked.Read(ref _rekeysSent);

    public long RekeysReceived => Interlocked.Read(ref _rekeysReceived);

    public bool IsOpen => Volatile.Read(ref _closeInfo) is null;

    /// <summary>Completes (never faults) once the session has closed, its stream is shut and its loops have stopped.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Completes when the first frame from the peer has opened: the peer holds the keys (section 5, Confirmation).</summary>
    public Task Confirmed => _confirmed.Task;

    public SessionCloseInfo? CloseInfo => Volatile.Read(ref _closeInfo);

    /// <summary>
    /// Starts the session's loops over a stream on which the handshake has just finished. Takes ownership of the
    /// stream and of <paramref name="keys"/> (copied into the ciphers, then zeroed). The responder's first frame is a Ping.
    /// </summary>
    public static SecureSession Start(
        Stream stream, SessionKeys keys, bool isInitiator, PeerIdentity peer, SessionOptions options,
        TimeProvider time, ILogger logger, SessionRequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(handler);
        options.Validate();

        var session = new SecureSession(stream, keys, isInitiator, peer, options, time, logger, handler);
        keys.Dispose();
        if (!isInitiator)
        {
            // The queue is empty, so this is the first frame (section 5, Confirmation).
            session._sendQueue.Writer.TryWrite(session.NewPing(SessionOutgoingKind.Envelope));
        }

        SessionLog.Started(logger, session.SessionIdHex, session._peerLabel, isInitiator ? "initiator" : "responder");

        // Registered here, not in the loops: alone on its clock (tests on a fake clock), the session's first tick comes
        // exactly one interval after StartedAt, as its own timer did; beside others, within one interval.
        session._heartbeat.Add(session);
        session._run = session.RunAsync();
        return session;
    }

    /// <summary>
    /// Sends a request with the next id and returns its (first) answer, which may be an Error envelope.
    /// Throws <see cref="TimeoutException"/> after <see cref="SessionOptions.RequestTimeout"/> and
    /// <see cref="SessionClosedException"/> when the session closes first. On the initiator, content waits for <see cref="Confirmed"/>.
    /// </summary>
    public async Task<Envelope> RequestAsync(Envelope request, CancellationToken cancellationToken)
    {
        await foreach (var answer in RequestCoreAsync(request, static _ => true, 1, cancellationToken))
        {
            return answer;
        }

        throw new SessionClosedException(CloseInfo);
    }

    /// <summary>
    /// Sends a request that may get several answers (a module's stream, such as UrnFound* then UrnQueryDone) and
    /// yields each, ending after the first answer <paramref name="isFinal"/> accepts. The request timeout covers the
    /// whole exchange. The session itself knows no kind of answer: the module that asks says which one ends it.
    /// </summary>
    public IAsyncEnumerable<Envelope> RequestManyAsync(Envelope request, Func<Envelope, bool> isFinal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(isFinal);
        return RequestCoreAsync(request, isFinal, _options.MaxBufferedAnswers, cancellationToken);
    }

    /// <summary>Answers a request from the peer (sets reply_to; id 0). Each request gets exactly one final answer.</summary>
    public ValueTask ReplyAsync(Envelope request, Envelope answer, CancellationToken cancellationToken) =>
        ReplyCoreAsync(request, answer, final: true, cancellationToken);

    /// <summary>
    /// Sends one of several answers to a request (see <see cref="RequestManyAsync"/>); the request stays open until
    /// <see cref="ReplyAsync"/> sends the final one.
    /// </summary>
    public ValueTask ReplyPartialAsync(Envelope request, Envelope answer, CancellationToken cancellationToken) =>
        ReplyCoreAsync(request, answer, final: false, cancellationToken);

    private async ValueTask ReplyCoreAsync(Envelope request, Envelope answer, bool final, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Id == 0)
        {
            throw new ArgumentException("only a request (id != 0) can be answered", nameof(request));
        }

        var envelope = PrepareOutgoing(answer);
        envelope.Id = 0;
        envelope.ReplyTo = request.Id;
        var item = SessionOutgoing.FromEnvelope(SessionOutgoingKind.Envelope, envelope);
        if (final
            && _incoming.TryGetValue(request.Id, out var incoming)
            && !incoming.TryMarkAnswered())
        {
            item.Release(reuseBuffer: true);
            throw new InvalidOperationException($"request {request.Id} was already answered");
        }

        await EnqueueAsync(item, cancellationToken);
    }

    /// <summary>Sends a notification (id 0). On the initiator, content waits for <see cref="Confirmed"/>.</summary>
    public async ValueTask SendAsync(Envelope notification, CancellationToken cancellationToken)
    {
        var envelope = PrepareOutgoing(notification);
        envelope.Id = 0;
        envelope.ReplyTo = 0;
        var item = SessionOutgoing.FromEnvelope(SessionOutgoingKind.Envelope, envelope);
        if (IsInitiator && SessionEnvelopes.IsContent(envelope))
        {
            try
            {
                await WaitConfirmedAsync(cancellationToken);
            }
            catch
            {
                item.Release(reuseBuffer: true);
                throw;
            }
        }

        await EnqueueAsync(item, cancellationToken);
    }

    /// <summary>Sends a Ping and returns the round-trip time until its Pong.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var answer = await RequestAsync(new Envelope { Ping = new Ping { TimeMs = NowMs() } }, cancellationToken);
        if (answer.BodyCase != Envelope.BodyOneofCase.Pong)
        {
            throw new InvalidOperationException($"the peer answered a Ping with {answer.BodyCase}");
        }

        var rtt = _time.GetElapsedTime(started);
        Volatile.Write(ref _roundTripTicks, rtt.Ticks);
        return rtt;
    }

    /// <summary>Sends Rekey and switches the sending key right after it; completes once that frame is written.</summary>
    public async ValueTask RekeyAsync(CancellationToken cancellationToken)
    {
        var item = SessionOutgoing.Control(SessionOutgoingKind.Rekey, trackWritten: true);
        await EnqueueAsync(item, cancellationToken);
        await item.Written!.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Sends Goodbye after what is already queued, flushes, and closes the stream; returns once the session has
    /// closed. Cancelling skips the flush and closes at once. Safe to call more than once. Called from this
    /// session's own handler, it starts the close and returns without waiting (the close waits for handlers).
    /// </summary>
    public async Task CloseAsync(string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reason);
        using var abortOnCancel = cancellationToken.Register(static s => ((SecureSession)s!).RequestAbort(), this);
        if (TrySetCloseInfo(SessionCloseKind.Local, reason))
        {
            var goodbye = new Envelope { Goodbye = new Goodbye { Reason = reason } };
            try
            {
                await EnqueueAsync(SessionOutgoing.FromEnvelope(SessionOutgoingKind.Goodbye, goodbye), cancellationToken);
            }
            catch (Exception e) when (e is SessionClosedException or OperationCanceledException)
            {
                RequestAbort();
            }

            CompleteSendQueue();
        }

        if (!ReferenceEquals(HandlerScope.Value, this))
        {
            await Completion;
        }
    }

    public async ValueTask DisposeAsync() => await CloseAsync("session disposed", CancellationToken.None);

    private async IAsyncEnumerable<Envelope> RequestCoreAsync(
        Envelope request, Func<Envelope, bool> isFinal, int capacity,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var envelope = PrepareOutgoing(request);
        envelope.ReplyTo = 0;
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        ulong id = 0;
        try
        {
            SessionPendingRequest pending;
            try
            {
                pending = await BeginRequestAsync(envelope, isFinal, capacity, linked.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw RequestTimedOut(envelope);
            }

            id = envelope.Id;
            while (true)
            {
                Envelope? answer;
                try
                {
                    answer = await pending.Answers.WaitToReadAsync(linked.Token) && pending.Answers.TryRead(out var next) ? next : null;
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw RequestTimedOut(envelope);
                }

                if (answer is null)
                {
                    yield break;
                }

                yield return answer;
            }
        }
        finally
        {
            if (id != 0)
            {
                _outgoing.TryRemove(id, out _);
            }
        }
    }

    private TimeoutException RequestTimedOut(Envelope request) =>
        new($"request {request.Id} ({request.BodyCase}) got no answer within {_options.RequestTimeout.TotalSeconds:0.#} s");

    private async Task<SessionPendingRequest> BeginRequestAsync(
        Envelope envelope, Func<Envelope, bool> isFinal, int capacity, CancellationToken cancellationToken)
    {
        if (IsInitiator && SessionEnvelopes.IsContent(envelope))
        {
            await WaitConfirmedAsync(cancellationToken);
        }

        envelope.Id = NextId();
        var item = SessionOutgoing.FromEnvelope(SessionOutgoingKind.Envelope, envelope);
        var pending = new SessionPendingRequest(capacity, isFinal);
        _outgoing[envelope.Id] = pending;
        if (!IsOpen)
        {
            _outgoing.TryRemove(envelope.Id, out _);
            item.Release(reuseBuffer: true);
            throw new SessionClosedException(CloseInfo);
        }

        try
        {
            await EnqueueAsync(item, cancellationToken);
        }
        catch
        {
            _outgoing.TryRemove(envelope.Id, out _);
            throw;
        }

        return pending;
    }

    private async Task WaitConfirmedAsync(CancellationToken cancellationToken)
    {
        if (!_confirmed.Task.IsCompleted)
        {
            await _confirmed.Task.WaitAsync(cancellationToken);
        }

        if (_confirmed.Task.IsFaulted)
        {
            throw new SessionClosedException(CloseInfo);
        }
    }

    private static Envelope PrepareOutgoing(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        switch (envelope.BodyCase)
        {
            case Envelope.BodyOneofCase.None:
                throw new ArgumentException("an envelope always has a body", nameof(envelope));
            case Envelope.BodyOneofCase.Rekey:
                throw new ArgumentException("use RekeyAsync to rekey", nameof(envelope));
            case Envelope.BodyOneofCase.Goodbye:
                throw new ArgumentException("use CloseAsync to say goodbye", nameof(envelope));
        }

        // A copy, so ids set here never leak into the caller's object.
        return envelope.Clone();
    }

    private ulong NextId() => (ulong)Interlocked.Increment(ref _nextId);

    private ulong NowMs() => (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds();

    private SessionOutgoing NewPing(SessionOutgoingKind kind) =>
        SessionOutgoing.FromEnvelope(kind, new Envelope { Id = NextId(), Ping = new Ping { TimeMs = NowMs() } });
}
