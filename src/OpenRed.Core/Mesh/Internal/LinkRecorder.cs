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
/// sessions) makes the session path write itself: back-pressure, never a lost link. Every drain is one transaction
/// on the recorder's own connection (<see cref="LinkWriter"/>), closed by <see cref="Close"/> when the mesh stops.
/// </summary>
internal sealed partial class LinkRecorder(LinkStore links, TimeProvider time, ILogger logger)
{
    private const int BatchLimit = 256;

    private const int QueueCapacity = 4096;

    private readonly Channel<LinkWrite> _queue = Channel.CreateBounded<LinkWrite>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = false,
        SingleWriter = false,
        FullMode = BoundedChannelFullMode.Wait,
    });

    // Held while writing, so that writes reach the table in the order they were queued whoever drains.
    private readonly Lock _writing = new();
    private readonly List<LinkWrite> _batch = new(BatchLimit);
    private LinkWriter? _writer;
    private bool _closed;

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

    /// <summary>Writes what is queued, then closes the recorder's connection; later writes use a connection each.</summary>
    public void Close()
    {
        lock (_writing)
        {
            DrainLocked();
            _closed = true;
            _writer?.Dispose();
            _writer = null;
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
        while (true)
        {
            _batch.Clear();
            while (_batch.Count < BatchLimit && _queue.Reader.TryRead(out var write))
            {
                _batch.Add(write);
            }

            if (_batch.Count == 0)
            {
                return;
            }

            WriteBatch(_batch);
        }
    }

    private void Write(LinkWrite write) => WriteBatch([write]);

    private void WriteBatch(IReadOnlyList<LinkWrite> writes)
    {
        try
        {
            if (_closed)
            {
                // The mesh has stopped: a straggler (a session that ended late) opens a connection of its own.
                using var once = links.OpenWriter();
                once.Write(writes, Suspect);
            }
            else
            {
                (_writer ??= links.OpenWriter()).Write(writes, Suspect);
            }
        }
        catch (SqliteException e)
        {
            // The transaction rolled back: none of the batch is stored. A broken connection is not kept.
            _writer?.Dispose();
            _writer = null;
            foreach (var w in writes)
            {
                LogLinkNotStored(logger, w.Fingerprint.Short, e.Message);
            }
        }
        catch (ObjectDisposedException e)
        {
            // A session that ended after the node's database closed: nothing left to write to.
            foreach (var w in writes)
            {
                LogLinkNotStored(logger, w.Fingerprint.Short, e.Message);
            }
        }
    }

    private void Suspect(LinkWrite write, Fingerprint pinned)
    {
        // The event first: whoever reads the log line can already see the warning on the session.
        var nodeId = write.Peer!.NodeId;
        ImpersonationSuspected?.Invoke(new ImpersonationWarning(nodeId, write.Fingerprint, [pinned]));
        LogImpersonation(logger, nodeId, write.Fingerprint.Hex, pinned.Short);
    }

    /// <summary>One queued write: a session opened (<see cref="Peer"/> set) or closed (only the time).</summary>
    internal sealed record LinkWrite(PeerIdentity? Peer, Fingerprint Fingerprint, string? Address, int Port, DateTimeOffset At);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Possible impersonation: node-id {NodeId} arrived with fingerprint {Fingerprint}, linked before to {Known}")]
    private static partial void LogImpersonation(ILogger logger, string nodeId, string fingerprint, string known);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Link of {Fingerprint} not stored: {Reason}")]
    private static partial void LogLinkNotStored(ILogger logger, string fingerprint, string reason);
}
