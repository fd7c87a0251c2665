using OpenRed.Core.Security.Internal;

namespace OpenRed.Core.Security;

public sealed partial class SecureSession
{
    /// <summary>
    /// Runs the two loops, with the node-wide heartbeat checking the deadlines, until one loop ends or an abort is
    /// requested, then shuts everything down here, once.
    /// </summary>
    private async Task RunAsync()
    {
        await Task.Yield();
        var receive = ReceiveLoopAsync(_token);
        var send = SendLoopAsync(_token);
        await Task.WhenAny(receive, send, _abortRequested.Task);

        TrySetCloseInfo(SessionCloseKind.ConnectionLost, "the session stopped");
        var info = CloseInfo!;
        _heartbeat.Remove(this);
        CompleteSendQueue();
        await _lifetime.CancelAsync();
        try
        {
            await _stream.DisposeAsync();
        }
#pragma warning disable CA1031 // Whatever the stream throws on close, the session is closed.
        catch (Exception e)
#pragma warning restore CA1031
        {
            SessionLog.ConnectionError(_logger, e, SessionIdHex, "closing the stream");
        }

        // The loops catch everything they expect; awaiting them here means no loop outlives the session.
        await Task.WhenAll(receive, send, _readStage);

        var closed = new SessionClosedException(info);
        if (_confirmed.TrySetException(closed))
        {
            _ = _confirmed.Task.Exception;
        }

        foreach (var pending in _outgoing.Values)
        {
            pending.Fail(closed);
        }

        while (_sendQueue.Reader.TryRead(out var item))
        {
            item.Release(reuseBuffer: true);
            item.Written?.TrySetException(closed);
        }

        await Task.WhenAll(_handlers.Values);
        _sendCipher.Dispose();
        _receiveCipher.Dispose();

        if (info.IsViolation)
        {
            SessionLog.Violation(_logger, SessionIdHex, _peerLabel, info.Reason);
        }

        SessionLog.Closed(_logger, SessionIdHex, _peerLabel, info.Kind, info.Reason);
        _completion.TrySetResult();
        try
        {
            Closed?.Invoke(this);
        }
#pragma warning disable CA1031 // A subscriber's failure must not break the shutdown of the session.
        catch (Exception e)
#pragma warning restore CA1031
        {
            SessionLog.ClosedHandlerFailed(_logger, e, SessionIdHex);
        }
    }

    /// <summary>
    /// Every deadline, checked on each tick of the heartbeat this session shares with the others on its clock:
    /// the single read and write deadlines, pings, idle close, the hourly rekey. Runs on the timer's thread, so it only
    /// looks at counters and queues; never blocks.
    /// </summary>
    void IHeartbeatTarget.OnHeartbeat(DateTimeOffset now)
    {
        // Also while a Goodbye drains (closed, loops still running): a peer that stops reading then still trips the
        // send deadline, and the session leaves the heartbeat only once its loops have stopped.
        try
        {
            Housekeep(now);
        }
#pragma warning disable CA1031 // One session's failure must not stop the heartbeat of the others.
        catch (Exception e)
#pragma warning restore CA1031
        {
            SessionLog.ConnectionError(_logger, e, SessionIdHex, "heartbeat");
            Abort(SessionCloseKind.Local, "heartbeat failed: " + e.Message);
        }
    }

    private void Housekeep(DateTimeOffset now)
    {
        if (!CheckIoDeadlines(now))
        {
            return;
        }

        if (now - LastReceivedAt >= _options.IdleTimeout)
        {
            TrySetCloseInfo(SessionCloseKind.IdleTimeout, $"nothing received for {_options.IdleTimeout.TotalSeconds:0.#} s");
            RequestAbort();
            return;
        }

        if (now - LastSentAt >= _options.PingInterval && Interlocked.CompareExchange(ref _livenessPingQueued, 1, 0) == 0)
        {
            var ping = NewPing(SessionOutgoingKind.LivenessPing);
            if (!_sendQueue.Writer.TryWrite(ping))
            {
                // A full queue means frames are about to be sent anyway.
                ping.Release(reuseBuffer: true);
                Volatile.Write(ref _livenessPingQueued, 0);
            }
        }

        if (now - new DateTimeOffset(Volatile.Read(ref _sendKeySinceTicks), TimeSpan.Zero) >= _options.RekeyInterval
            && Interlocked.CompareExchange(ref _rekeyCheckQueued, 1, 0) == 0
            && !_sendQueue.Writer.TryWrite(SessionOutgoing.Control(SessionOutgoingKind.RekeyIfDue)))
        {
            Volatile.Write(ref _rekeyCheckQueued, 0);
        }
    }

    /// <summary>
    /// The deadlines of single reads and writes, checked by the heartbeat instead of a timer per frame: a frame whose
    /// body has not fully arrived <see cref="SessionOptions.FrameBodyTimeout"/> after it began, and a write or flush
    /// the peer has not taken within <see cref="SessionOptions.SendTimeout"/>. Returns false when one closed the session.
    /// </summary>
    private bool CheckIoDeadlines(DateTimeOffset now)
    {
        var nowTicks = now.UtcTicks;
        var reader = Volatile.Read(ref _frameReader);
        var partialSince = reader?.PartialSinceTicks ?? 0;
        if (partialSince != 0 && nowTicks - partialSince >= _options.FrameBodyTimeout.Ticks)
        {
            var length = reader!.PartialLength;
            var what = length >= 0 ? $"frame body of {length} bytes" : "frame length";
            Abort(SessionCloseKind.Violation, $"{what} did not arrive within {_options.FrameBodyTimeout.TotalSeconds:0.#} s");
            return false;
        }

        var writeStarted = Volatile.Read(ref _writeStartedTicks);
        if (writeStarted != 0 && nowTicks - writeStarted >= _options.SendTimeout.Ticks)
        {
            Abort(SessionCloseKind.SendStalled, $"the peer took no data for {_options.SendTimeout.TotalSeconds:0.#} s");
            return false;
        }

        return true;
    }

    /// <summary>No more entries: the send loop drains what is queued; senders waiting for room fail as closed.</summary>
    private void CompleteSendQueue()
    {
        _sendQueue.Writer.TryComplete();
        _sendBudget.Close();
    }

    /// <summary>Records the first cause of closing; later causes are ignored. Returns true for the first.</summary>
    private bool TrySetCloseInfo(SessionCloseKind kind, string reason) =>
        Interlocked.CompareExchange(ref _closeInfo, new SessionCloseInfo(kind, reason, _time.GetUtcNow()), null) is null;

    /// <summary>Closes now, without flushing: used for failures outside the loops and for cancelled closes.</summary>
    private void Abort(SessionCloseKind kind, string reason)
    {
        TrySetCloseInfo(kind, reason);
        RequestAbort();
    }

    private void RequestAbort()
    {
        TrySetCloseInfo(SessionCloseKind.Local, "closed");
        _abortRequested.TrySetResult();
    }
}
