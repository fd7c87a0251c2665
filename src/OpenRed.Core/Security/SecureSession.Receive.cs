using System.Security.Cryptography;
using OpenRed.Core.Security.Internal;
using OpenRed.Core.Wire;
using OpenRed.Core.Wire.Internal;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Security;

public sealed partial class SecureSession
{
    /// <summary>
    /// Plaintexts at least this long are decrypted into an array of their own that the envelope keeps (a ChunkData's
    /// data then wraps it, no copy); shorter ones go through a pooled buffer, cleared and returned after parsing.
    /// </summary>
    internal const int OwnedPlaintextMin = 32 * 1024;

    private Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var reader = new FrameReader(
            _stream, WireLimits.TransportFrameMin, WireLimits.TransportFrameMax, () => _time.GetUtcNow().UtcTicks);
        Volatile.Write(ref _frameReader, reader);
        return _options.OverlapDecryption ? OverlappedReceiveLoopAsync(reader, cancellationToken) : ReceiveLoopAsync(reader, cancellationToken);
    }

    private async Task ReceiveLoopAsync(FrameReader reader, CancellationToken cancellationToken)
    {
        var clean = false;
        try
        {
            while (true)
            {
                var body = await reader.ReadAsync(cancellationToken);
                if (body.IsEmpty)
                {
                    TrySetCloseInfo(SessionCloseKind.ConnectionLost, "the peer closed the connection");
                    clean = true;
                    return;
                }

                var envelope = Open(body.Span, out var unknownBody);
                if (!await DispatchAsync(envelope, unknownBody, cancellationToken))
                {
                    clean = true;
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // Any failure of the stream ends the session; the loop itself must never fault.
        catch (Exception e)
#pragma warning restore CA1031
        {
            EndReceiving(e);
        }
        finally
        {
            // After a failed read the stream may still be writing into the buffer: it is then dropped, not pooled.
            if (clean)
            {
                reader.Dispose();
            }
        }
    }

    /// <summary>Why a receive loop (single or read-ahead) ended on an exception: a violation, or the connection.</summary>
    private void EndReceiving(Exception e)
    {
        if (e is ProtocolViolationException)
        {
            TrySetCloseInfo(SessionCloseKind.Violation, e.Message);
            return;
        }

        SessionLog.ConnectionError(_logger, e, SessionIdHex, "receiving");
        TrySetCloseInfo(SessionCloseKind.ConnectionLost, e.Message);
    }

    /// <summary>Decrypts and parses one frame body; the body's buffer may be reused once this returns.</summary>
    private Envelope Open(ReadOnlySpan<byte> body, out bool unknownBody)
    {
        var plaintextLength = body.Length - WireLimits.TagBytes;
        Envelope envelope;
        if (plaintextLength >= OwnedPlaintextMin)
        {
            var plaintext = GC.AllocateUninitializedArray<byte>(plaintextLength);
            _receiveCipher.OpenTo(body, plaintext);
            Received(body.Length);
            envelope = SessionEnvelopes.ParseOwned(plaintext, _guard, _options.EnvelopeLimits.MaxReasonBytes, out unknownBody);
        }
        else
        {
            var rented = _options.ReceiveBufferPool.Rent(plaintextLength);
            var plaintext = rented.AsSpan(0, plaintextLength);
            try
            {
                _receiveCipher.OpenTo(body, plaintext);
                Received(body.Length);

                // The envelope copies the bytes it keeps, so the buffer goes back before dispatch.
                envelope = SessionEnvelopes.Parse(plaintext, _guard, _options.EnvelopeLimits.MaxReasonBytes, out unknownBody);
            }
            finally
            {
                // The pool hands the buffer to any other code in the process next: no plaintext may go with it.
                CryptographicOperations.ZeroMemory(plaintext);
                _options.ReceiveBufferPool.Return(rented);
            }
        }

        return envelope;
    }

    private void Received(int bodyLength)
    {
        Volatile.Write(ref _lastReceivedTicks, _time.GetUtcNow().UtcTicks);
        Interlocked.Add(ref _bytesIn, WireLimits.LengthPrefixBytes + bodyLength);
        Interlocked.Increment(ref _framesIn);
        _confirmed.TrySetResult();
    }

    /// <summary>Acts on one envelope; returns false when the session must stop receiving (Goodbye).</summary>
    private async ValueTask<bool> DispatchAsync(Envelope envelope, bool unknownBody, CancellationToken cancellationToken)
    {
        switch (envelope.BodyCase)
        {
            case Envelope.BodyOneofCase.Rekey:
                _receiveCipher.Rekey();
                Interlocked.Increment(ref _rekeysReceived);
                SessionLog.Rekeyed(_logger, SessionIdHex, "receiving");
                return true;
            case Envelope.BodyOneofCase.Goodbye:
                TrySetCloseInfo(SessionCloseKind.PeerGoodbye, envelope.Goodbye.Reason);
                return false;
            case Envelope.BodyOneofCase.Ping:
                TryEnqueueControlReply(SessionEnvelopes.PongReply(envelope));
                return true;
            case Envelope.BodyOneofCase.Pong:
                RecordRoundTrip(envelope.Pong.TimeMs);
                break;
        }

        if (envelope.ReplyTo != 0)
        {
            // Answers never reach the handler; one for a request no longer pending is ignored (section 6).
            if (_outgoing.TryGetValue(envelope.ReplyTo, out var pending) && pending.Offer(envelope))
            {
                _outgoing.TryRemove(envelope.ReplyTo, out _);
            }

            return true;
        }

        if (unknownBody || envelope.BodyCase == Envelope.BodyOneofCase.Pong)
        {
            if (envelope.Id != 0 && unknownBody)
            {
                TryEnqueueControlReply(SessionEnvelopes.ErrorReply(envelope.Id, ErrorCode.Unsupported, "unknown body"));
            }

            return true;
        }

        if (envelope.Id != 0)
        {
            StartRequestHandler(envelope, cancellationToken);
            return true;
        }

        try
        {
            HandlerScope.Value = this;
            await _handler(this, envelope, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (SessionClosedException)
        {
        }
#pragma warning disable CA1031 // A handler's bug must not end the session; it is logged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            SessionLog.HandlerFailed(_logger, e, SessionIdHex, envelope.BodyCase.ToString(), envelope.Id);
        }

        return true;
    }

    private void StartRequestHandler(Envelope request, CancellationToken cancellationToken)
    {
        var pendingCount = _incoming.Count;
        if (pendingCount >= _options.MaxPendingRequests)
        {
            SessionLog.RateLimited(_logger, SessionIdHex, request.Id, pendingCount);
            TryEnqueueControlReply(SessionEnvelopes.ErrorReply(request.Id, ErrorCode.RateLimited, "too many requests awaiting an answer"));
            return;
        }

        var incoming = new SessionIncomingRequest();
        if (!_incoming.TryAdd(request.Id, incoming))
        {
            throw new ProtocolViolationException($"request id {request.Id} reused while still pending");
        }

        var seq = Interlocked.Increment(ref _handlerSeq);
        var task = RunRequestHandlerAsync(seq, request, incoming, cancellationToken);
        _handlers[seq] = task;
        if (task.IsCompleted)
        {
            _handlers.TryRemove(seq, out _);
        }
    }

    private async Task RunRequestHandlerAsync(long seq, Envelope request, SessionIncomingRequest incoming, CancellationToken cancellationToken)
    {
        // Off the receive loop: a handler may itself wait for answers from this peer.
        await Task.Yield();
        HandlerScope.Value = this;
        string? failure = null;
        try
        {
            await _handler(this, request, cancellationToken);
            if (!incoming.Answered)
            {
                SessionLog.HandlerDidNotAnswer(_logger, SessionIdHex, request.Id, request.BodyCase.ToString());
                failure = "no answer";
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (SessionClosedException)
        {
        }
#pragma warning disable CA1031 // A handler's bug must not end the session; the peer gets INTERNAL.
        catch (Exception e)
#pragma warning restore CA1031
        {
            SessionLog.HandlerFailed(_logger, e, SessionIdHex, request.BodyCase.ToString(), request.Id);
            failure = "internal error";
        }

        try
        {
            if (failure is not null && !incoming.Answered && IsOpen)
            {
                await ReplyAsync(request, SessionEnvelopes.ErrorReply(request.Id, ErrorCode.Internal, failure), cancellationToken);
            }
        }
        catch (Exception e) when (e is SessionClosedException or OperationCanceledException or InvalidOperationException)
        {
        }
        finally
        {
            _incoming.TryRemove(request.Id, out _);
            _handlers.TryRemove(seq, out _);
        }
    }

    /// <summary>
    /// Replies the session makes itself never wait for queue space: the receive loop must keep reading, or two
    /// peers with full queues would wait on each other. When the queue is full the reply is dropped.
    /// </summary>
    private void TryEnqueueControlReply(Envelope reply)
    {
        var item = SessionOutgoing.FromEnvelope(SessionOutgoingKind.Envelope, reply);
        if (!_sendQueue.Writer.TryWrite(item))
        {
            item.Release(reuseBuffer: true);
            SessionLog.ControlReplyDropped(_logger, SessionIdHex, reply.BodyCase.ToString(), reply.ReplyTo);
        }
    }

    private void RecordRoundTrip(ulong sentMs)
    {
        var now = NowMs();
        if (sentMs <= now && now - sentMs <= (ulong)_options.IdleTimeout.TotalMilliseconds * 2)
        {
            Volatile.Write(ref _roundTripTicks, TimeSpan.FromMilliseconds(now - sentMs).Ticks);
        }
    }
}
