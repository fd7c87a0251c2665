namespace OpenRed.Core.Security.Internal;

/// <summary>
/// The byte bound of the send queue: frames queued or being written may hold at most this many bytes, so a bulk
/// sender keeps a few MiB in flight rather than the queue's count of 1 MiB frames. An empty budget always admits
/// one frame, whatever its size. Waiters are served in order, so a stream of small frames cannot starve a large one.
/// </summary>
internal sealed class SessionSendBudget(long limit)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private long _used;
    private bool _closed;

    /// <summary>Bytes held now.</summary>
    public long Used
    {
        get
        {
            lock (_lock)
            {
                return _used;
            }
        }
    }

    /// <summary>Takes <paramref name="bytes"/> when they fit now and nobody waits before us.</summary>
    public bool TryTake(int bytes)
    {
        lock (_lock)
        {
            if (_waiters.Count == 0 && Fits(bytes))
            {
                _used += bytes;
                return true;
            }

            return false;
        }
    }

    /// <summary>Waits in line until <paramref name="bytes"/> fit, then holds them. Cancelling leaves the line holding nothing.</summary>
    public async ValueTask TakeAsync(int bytes, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_waiters.Count == 0 && Fits(bytes))
            {
                _used += bytes;
                return;
            }

            waiter = new Waiter(this, bytes);
            waiter.Node = _waiters.AddLast(waiter);
        }

        using var registration = cancellationToken.Register(static (s, token) => ((Waiter)s!).Cancel(token), waiter);
        await waiter.Granted.Task;
    }

    public void Release(int bytes)
    {
        lock (_lock)
        {
            _used -= bytes;
            Grant();
        }
    }

    /// <summary>The session is closing: nobody waits any more (their queue write then fails as closed).</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            Grant();
        }
    }

    private bool Fits(int bytes) => _closed || _used == 0 || _used + bytes <= limit;

    private void Grant()
    {
        while (_waiters.First is { } first && Fits(first.Value.Bytes))
        {
            _waiters.RemoveFirst();
            _used += first.Value.Bytes;
            first.Value.Granted.TrySetResult();
        }
    }

    private void Cancel(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (waiter.Node?.List is null)
            {
                // Already granted: the caller holds the bytes and gives them back itself.
                return;
            }

            _waiters.Remove(waiter.Node);
            waiter.Granted.TrySetCanceled(cancellationToken);
            Grant();
        }
    }

    private sealed class Waiter(SessionSendBudget owner, int bytes)
    {
        public int Bytes { get; } = bytes;

        public LinkedListNode<Waiter>? Node { get; set; }

        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Cancel(CancellationToken cancellationToken) => owner.Cancel(this, cancellationToken);
    }
}
