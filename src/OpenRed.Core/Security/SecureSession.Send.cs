using System.Threading.Channels;
using OpenRed.Core.Security.Internal;
using OpenRed.Core.Wire;

namespace OpenRed.Core.Security;

public sealed partial class SecureSession
{
    /// <summary>
    /// Waits for queue space (a frame slot and room in the byte bound); a queue that stays full for the send timeout
    /// closes the session. Takes ownership of <paramref name="item"/>: when it is not queued, it is released here.
    /// </summary>
    private async ValueTask EnqueueAsync(SessionOutgoing item, CancellationToken cancellationToken)
    {
        var holdsBudget = _sendBudget.TryTake(item.FrameLength);
        if (holdsBudget)
        {
            item.Hold(_sendBudget);
            if (_sendQueue.Writer.TryWrite(item))
            {
                return;
            }
        }

        using var stall = new CancellationTokenSource(_options.SendTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stall.Token);
        try
        {
            if (!holdsBudget)
            {
                await _sendBudget.TakeAsync(item.FrameLength, linked.Token);
                item.Hold(_sendBudget);
            }

            await _sendQueue.Writer.WriteAsync(item, linked.Token);
        }
        catch (OperationCanceledException) when (stall.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            item.Release(reuseBuffer: true);
            Abort(SessionCloseKind.SendStalled, $"send queue full for {_options.SendTimeout.TotalSeconds:0.#} s");
            throw new SessionClosedException(CloseInfo);
        }
        catch (ChannelClosedException)
        {
            item.Release(reuseBuffer: true);
            throw new SessionClosedException(CloseInfo);
        }
        catch
        {
            item.Release(reuseBuffer: true);
            throw;
        }
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        var reader = _sendQueue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (reader.TryRead(out var item))
                {
                    await WriteItemAsync(item, cancellationToken);
                }

                await WatchedAsync(_stream.FlushAsync(cancellationToken));
            }

            // The queue was completed by CloseAsync and is drained: Goodbye is out, the session can end.
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // Any failure of the stream ends the session; the loop itself must never fault.
        catch (Exception e)
#pragma warning restore CA1031
        {
            SessionLog.ConnectionError(_logger, e, SessionIdHex, "sending");
            TrySetCloseInfo(SessionCloseKind.ConnectionLost, e.Message);
        }
    }

    private async ValueTask WriteItemAsync(SessionOutgoing item, CancellationToken cancellationToken)
    {
        try
        {
            switch (item.Kind)
            {
                case SessionOutgoingKind.Rekey:
                    await WriteRekeyAsync(cancellationToken);
                    break;
                case SessionOutgoingKind.RekeyIfDue:
                    Volatile.Write(ref _rekeyCheckQueued, 0);
                    if (RekeyDue(0))
                    {
                        await WriteRekeyAsync(cancellationToken);
                    }

                    break;
                default:
                    if (RekeyDue(item.PlaintextLength))
                    {
                        await WriteRekeyAsync(cancellationToken);
                    }

                    if (item.Kind == SessionOutgoingKind.LivenessPing)
                    {
                        Volatile.Write(ref _livenessPingQueued, 0);
                    }

                    var frame = item.Frame;
                    _sendCipher.SealInPlace(frame);
                    await WriteSealedAsync(frame, cancellationToken);
                    break;
            }

            item.Release(reuseBuffer: true);
            item.Written?.TrySetResult();
        }
        catch (Exception e)
        {
            item.Release(reuseBuffer: false);
            item.Written?.TrySetException(new SessionClosedException("the session closed before the frame was written", e));
            throw;
        }
    }

    /// <summary>Room is kept for the Rekey frame itself, so no key ever carries more than the limits (section 6).</summary>
    private bool RekeyDue(int nextPlaintextLength)
    {
        var keyAge = _time.GetUtcNow() - new DateTimeOffset(Volatile.Read(ref _sendKeySinceTicks), TimeSpan.Zero);
        return _sendCipher.FramesUnderKey + 1 >= _options.RekeyAfterFrames
            || _sendCipher.BytesUnderKey + nextPlaintextLength + SessionEnvelopes.RekeyPlaintext.Length > _options.RekeyAfterBytes
            || keyAge >= _options.RekeyInterval;
    }

    private ValueTask WriteRekeyAsync(CancellationToken cancellationToken)
    {
        var frame = _sendCipher.Seal(SessionEnvelopes.RekeyPlaintext);

        // The key changes right after the frame that carries Rekey; sealing is done, so switch now.
        _sendCipher.Rekey();
        Volatile.Write(ref _sendKeySinceTicks, _time.GetUtcNow().UtcTicks);
        Interlocked.Increment(ref _rekeysSent);
        SessionLog.Rekeyed(_logger, SessionIdHex, "sending");
        return WriteSealedAsync(frame, cancellationToken);
    }

    private async ValueTask WriteSealedAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        await WatchedAsync(_stream.WriteAsync(frame, cancellationToken));
        Volatile.Write(ref _lastSentTicks, _time.GetUtcNow().UtcTicks);
        Interlocked.Add(ref _bytesOut, frame.Length);
        Interlocked.Increment(ref _framesOut);
    }

    /// <summary>
    /// One write or flush may take at most the send timeout, so that a peer that stops reading cannot hold us
    /// forever. The deadline costs no timer: the operation's start is noted, and the heartbeat
    /// (<see cref="CheckIoDeadlines"/>) closes the session when it is overdue, which fails the operation.
    /// </summary>
    private async ValueTask WatchedAsync(ValueTask io)
    {
        if (io.IsCompletedSuccessfully)
        {
            return;
        }

        Volatile.Write(ref _writeStartedTicks, _time.GetUtcNow().UtcTicks);
        try
        {
            await io;
        }
        finally
        {
            Volatile.Write(ref _writeStartedTicks, 0);
        }
    }

    private ValueTask WatchedAsync(Task io) => WatchedAsync(new ValueTask(io));
}
