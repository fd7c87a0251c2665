using Microsoft.Data.Sqlite;
using OpenRed.Core.Peers.Internal;

namespace OpenRed.Core.Peers;

/// <summary>Write-behind: the addresses changed since the last flush, written in one transaction.</summary>
public sealed partial class PeerDirectory
{
    private readonly PeerTable _table;
    private readonly HashSet<PeerAddress> _dirty = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _flushGate = new();
    private readonly Task _flushLoop;

    /// <summary>Changes not yet written.</summary>
    public int PendingWrites
    {
        get
        {
            lock (_lock)
            {
                return _dirty.Count;
            }
        }
    }

    /// <summary>Drops candidates whose every source has expired, then writes every pending change now.</summary>
    public void Flush()
    {
        // One flush at a time, so an older batch never lands after a newer one.
        lock (_flushGate)
        {
            List<(PeerAddress, PeerCandidate?)> batch;
            lock (_lock)
            {
                Prune(_time.GetUtcNow());
                if (_dirty.Count == 0)
                {
                    return;
                }

                batch = [.. _dirty.Select(a => (a, _candidates.GetValueOrDefault(a)))];
                _dirty.Clear();
            }

            try
            {
                _table.Save(batch);
            }
            catch (SqliteException e)
            {
                PeersLog.FlushFailed(_logger, batch.Count, e);
                lock (_lock)
                {
                    _dirty.UnionWith(batch.Select(b => b.Item1));
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _flushLoop;
        Flush();
        _stopping.Dispose();
    }

    private async Task FlushLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.FlushInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                Flush();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: dispose writes the last changes.
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var c in _candidates.Values.Where(c => !c.HasLiveSource(now)).ToList())
        {
            Store(c, null);
        }
    }
}
