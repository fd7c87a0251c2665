using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Common;
using OpenRed.Core.Identity;
using OpenRed.Core.Security;

namespace OpenRed.Core.Mesh.Internal;

/// <summary>
/// Writes every verified session into the links table and says when a node-id arrives with a new fingerprint.
/// The writes leave the session path: opening and closing a session only queue a write, and one background writer
/// drains the queue in batches (<see cref="RunAsync"/>). Readers that must see every link so far (the user's
/// <c>links</c> and <c>status</c>, a connect the user asked for) call <see cref="Flush"/> first, which drains the
/// queue on the caller's thread, so a link is on disk before it is shown. A full queue (a disk slower than the
/// sessions) makes the session path write itself: back-pressure, never a lost link.
/// </summary>
internal sealed partial class LinkRecorder(LinkStore links, TimeProvider time, ILogger logger)
{
    private const int QueueCapacity = 4096;

    private readonly Channel<LinkWrite> _queue = Channel.CreateBounded<LinkWrite>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = false,
        SingleWriter = false,
        FullMode = BoundedChannelFullMode.Wait,
    });

    // Held while writing, so that writes reach the table in the order they were queued whoever drains.
    private readonly Lock _writing = new();

    public event Action<ImpersonationWarning>? ImpersonationSuspected;

    /// <summary>Writes queued since the last drain, for tests and status.</summary>
    public int Pending => _queue.Reader.Count;

    public void Opened(PeerSession session)
    {
        var dial = session.DialAddress;
        var address = Endpoints.Normalize(dial?.Address ?? session.Remote.Address).ToString();
        Enqueue(new LinkWrite(session.Peer, session.Fingerprint, address, dial?.Port ?? 0, time.GetUtcNow()));
    }

    public void Closed(PeerSession session) =>
        Enqueue(new LinkWrite(null, session.Fingerprint, null, 0, time.GetUtcNow()));

    /// <summary>Writes everything queued so far before returning.</summary>
    public void Flush()
    {
        lock (_writing)
        {
            DrainLocked();
        }
    }

    /// <summary>The background writer: drains the queue whenever it has entries, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(cancellationToken))
            {
                Flush();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the owner flushes what is left once the sessions have closed.
        }
    }

    private void Enqueue(LinkWrite write)
    {
        if (_queue.Writer.TryWrite(write))
        {
            return;
        }

        lock (_writing)
        {
            DrainLocked();
            Write(write);
        }
    }

    private void DrainLocked()
    {
        while (_queue.Reader.TryRead(out var write))
        {
            Write(write);
        }
    }

    private void Write(LinkWrite write)
    {
        try
        {
            if (write.Peer is null)
            {
                links.Touch(write.Fingerprint, write.At);
                return;
            }

            var pinned = links.Record(write.Peer, write.Address!, write.Port, write.At);
            if (pinned.Count > 0)
            {
                // The event first: whoever reads the log line can already see the warning on the session.
                ImpersonationSuspected?.Invoke(new ImpersonationWarning(write.Peer.NodeId, write.Fingerprint, pinned));
                LogImpersonation(logger, write.Peer.NodeId, write.Fingerprint.Hex, string.Join(", ", pinned.Select(f => f.Short)));
            }
        }
        catch (SqliteException e)
        {
            LogLinkNotStored(logger, write.Fingerprint.Short, e.Message);
        }
        catch (ObjectDisposedException e)
        {
            // A session that ended after the node's database closed: nothing left to write to.
            LogLinkNotStored(logger, write.Fingerprint.Short, e.Message);
        }
    }

    /// <summary>One queued write: a session opened (<see cref="Peer"/> set) or closed (only the time).</summary>
    private sealed record LinkWrite(PeerIdentity? Peer, Fingerprint Fingerprint, string? Address, int Port, DateTimeOffset At);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Possible impersonation: node-id {NodeId} arrived with fingerprint {Fingerprint}, linked before to {Known}")]
    private static partial void LogImpersonation(ILogger logger, string nodeId, string fingerprint, string known);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Link of {Fingerprint} not stored: {Reason}")]
    private static partial void LogLinkNotStored(ILogger logger, string fingerprint, string reason);
}
