using OpenRed.Core.Identity;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>
/// Fetches the missing chunks of one record from every holder it is given (section 8, Transfer): up to
/// <see cref="PhoenixOptions.RequestsPerHolder"/> requests outstanding per holder, each holder taking the next chunk
/// it has as soon as a request ends, so faster holders carry more of the load. Every chunk's length and hash are
/// checked as it arrives; a holder that sends a bad chunk is counted and not asked again, and the chunk goes to
/// another. A good chunk is handed to the <see cref="ChunkWriter"/> and the slot asks for the next at once: the
/// requests stay outstanding while chunks are written, and a chunk counts as held only once it is on disk and in
/// the index. Near the end, a chunk slow at one holder is asked of another too.
/// </summary>
internal sealed class Fetcher : IAsyncDisposable
{
    private static readonly TimeSpan EndgameAfter = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan IdleCheck = TimeSpan.FromMilliseconds(100);

    private readonly RecordInfo _info;
    private readonly ChunkStore _store;
    private readonly PhoenixOptions _options;
    private readonly TimeProvider _time;
    private readonly PhoenixCounters _counters;
    private readonly Action<long>? _progress;
    private readonly Lock _lock = new();
    private readonly LinkedList<int> _queue = new();
    private readonly Dictionary<int, (int Count, long Since)> _inFlight = [];
    private readonly bool[] _done;
    private readonly Dictionary<Fingerprint, Holder> _holders = [];
    private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop;
    private readonly Common.TaskGroup _slots = new();
    private readonly ChunkWriter _writer;
    private readonly Task _writing;

    // Who delivered each chunk that is with the writer or stored: set once, when its bytes pass the checks.
    private readonly Holder?[] _from;
    private TaskCompletionSource _changed = New();
    private int _remaining;
    private int _regenerated;
    private long _bytes;
    private int _activeSlots;
    private int _withWriter;
    private bool _noMoreSources;

    public Fetcher(RecordInfo info, bool[] held, ChunkStore store, PhoenixOptions options, TimeProvider time, PhoenixCounters counters,
        Action<long>? progress, CancellationToken cancellationToken)
    {
        _info = info;
        _store = store;
        _options = options;
        _time = time;
        _counters = counters;
        _progress = progress;
        _done = (bool[])held.Clone();
        _from = new Holder?[_done.Length];
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _writer = new ChunkWriter(store, Stored);
        for (var i = 0; i < _done.Length; i++)
        {
            if (_done[i])
            {
                _bytes += info.ChunkLength(i);
            }
            else
            {
                _queue.AddLast(i);
                _remaining++;
            }
        }

        if (_remaining == 0)
        {
            _complete.TrySetResult();
            _writer.Complete();
        }

        _writing = WriteAsync(_stop.Token);
    }

    public RecordInfo Info => _info;

    public long BytesHeld => Interlocked.Read(ref _bytes);

    /// <summary>Chunks still missing.</summary>
    public int Remaining
    {
        get
        {
            lock (_lock)
            {
                return _remaining;
            }
        }
    }

    public bool IsComplete => _complete.Task.IsCompletedSuccessfully;

    /// <summary>
    /// Chunks the publisher supplied although its UrnFound said it did not hold them: it regenerated them from its
    /// source (section 8, step 3), which is what the resolution reports as its stage.
    /// </summary>
    public int Regenerated
    {
        get
        {
            lock (_lock)
            {
                return _regenerated;
            }
        }
    }

    /// <summary>Holders that delivered at least one good chunk, with how many.</summary>
    public IReadOnlyList<(Fingerprint Fingerprint, string NodeId, int Chunks)> Contributors
    {
        get
        {
            lock (_lock)
            {
                return [.. _holders.Values.Where(h => h.Delivered > 0).Select(h => (h.Source.Fingerprint, h.Source.NodeId, h.Delivered))];
            }
        }
    }

    /// <summary>Holders that sent a chunk whose length or hash was wrong.</summary>
    public IReadOnlyList<Fingerprint> BadHolders
    {
        get
        {
            lock (_lock)
            {
                return [.. _holders.Values.Where(h => h.Bad).Select(h => h.Source.Fingerprint)];
            }
        }
    }

    /// <summary>Holders tried in all.</summary>
    public int HolderCount
    {
        get
        {
            lock (_lock)
            {
                return _holders.Count;
            }
        }
    }

    /// <summary>Adds a holder (again, when an earlier attempt at it failed to connect); a holder that lied stays out.</summary>
    public void AddSource(IChunkSource source)
    {
        Holder holder;
        lock (_lock)
        {
            if (_remaining == 0 || _stop.IsCancellationRequested
                || (_holders.TryGetValue(source.Fingerprint, out var known) && (known.Bad || !known.Dead)))
            {
                return;
            }

            holder = new Holder(source, source.Fingerprint == _info.Publisher);
            _holders[source.Fingerprint] = holder;
            _activeSlots += _options.RequestsPerHolder;
        }

        for (var i = 0; i < _options.RequestsPerHolder; i++)
        {
            _slots.Track(SlotAsync(holder));
        }
    }

    /// <summary>No more holders will be added: when none of those given can supply what is missing, the fetch fails.</summary>
    public void NoMoreSources()
    {
        lock (_lock)
        {
            _noMoreSources = true;
            CheckStuck();
        }
    }

    /// <summary>Completes when every chunk is stored.</summary>
    /// <exception cref="PhoenixException">Every holder was tried and chunks are still missing.</exception>
    public Task WhenCompleteAsync(CancellationToken cancellationToken) => _complete.Task.WaitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _slots.WaitAsync(TimeSpan.FromSeconds(5));
        _writer.Complete();
        await Common.TaskGroup.WaitQuietlyAsync([_writing], TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    private async Task SlotAsync(Holder h)
    {
        var cancellationToken = _stop.Token;
        while (true)
        {
            int index;
            Task changed;
            lock (_lock)
            {
                if (_remaining == 0 || h.Bad || h.Dead || cancellationToken.IsCancellationRequested)
                {
                    SlotExited();
                    return;
                }

                index = TakeFor(h);
                if (index < 0 && _inFlight.Count == 0)
                {
                    // Nothing this holder can supply, and nothing out elsewhere that could come back to it.
                    SlotExited();
                    return;
                }

                changed = _changed.Task;
            }

            if (index < 0)
            {
                try
                {
                    await changed.WaitAsync(IdleCheck, _time, cancellationToken);
                }
                catch (TimeoutException)
                {
                    // Look again: a chunk out elsewhere may now be old enough to ask here too.
                }
                catch (OperationCanceledException)
                {
                    // Stopping: the loop's first check exits.
                }

                continue;
            }

            if (!await FetchOneAsync(h, index, cancellationToken))
            {
                lock (_lock)
                {
                    SlotExited();
                }

                return;
            }
        }
    }

    /// <summary>False when this holder is given up.</summary>
    private async Task<bool> FetchOneAsync(Holder h, int index, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte>? data;
        try
        {
            using var timeout = new CancellationTokenSource(_options.ChunkRequestTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            data = await h.Source.GetAsync(_info.Root, index, linked.Token);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            lock (_lock)
            {
                h.Dead = true;
                Return(h, index);
            }

            return false;
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                Return(h, index);
            }

            return false;
        }

        if (data is not { } bytes)
        {
            lock (_lock)
            {
                h.Missing.Add(index);
                Return(h, index);
            }

            return true;
        }

        var hash = _info.Hash(index).ToArray();
        if (bytes.Length != _info.ChunkLength(index) || !ChunkFiles.HashMatches(hash, bytes.Span))
        {
            lock (_lock)
            {
                h.Bad = true;
                _counters.Refuse(Refusal.BadChunk);
                Return(h, index);
            }

            return false;
        }

        lock (_lock)
        {
            h.InFlight.Remove(index);
            if (_done[index] || _from[index] is not null)
            {
                // The other answer of an endgame pair: the first one is stored already or on its way.
                Pulse();
                return true;
            }

            _from[index] = h;
            _inFlight.Remove(index);
            _withWriter++;
            Pulse();
        }

        try
        {
            await _writer.AddAsync(new VerifiedChunk(index, hash, bytes), cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            // Stopping, or storing failed (the fetch has failed with it).
            return false;
        }

        return true;
    }

    /// <summary>The writer's loop; a chunk that cannot be stored fails the whole fetch.</summary>
    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await _writer.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A file or index error must fail the fetch, not leave it waiting for chunks that never count.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _complete.TrySetException(new PhoenixException(PhoenixFailure.File, $"cannot store a chunk: {e.Message}", e));
            await _stop.CancelAsync();
        }
    }

    /// <summary>A batch is on disk and in the index: those chunks are held now.</summary>
    private void Stored(List<VerifiedChunk> batch)
    {
        long bytes;
        lock (_lock)
        {
            foreach (var c in batch)
            {
                _withWriter--;
                if (_done[c.Index])
                {
                    continue;
                }

                _done[c.Index] = true;
                _remaining--;
                var h = _from[c.Index]!;
                h.Delivered++;
                if (!h.Holds(c.Index))
                {
                    _regenerated++;
                }

                Interlocked.Add(ref _bytes, c.Data.Length);
            }

            if (_remaining == 0)
            {
                _complete.TrySetResult();
                _writer.Complete();
            }

            Pulse();
            bytes = BytesHeld;
        }

        _progress?.Invoke(bytes);
    }

    /// <summary>The next chunk for this holder: queued first; near the end, one that has been out elsewhere a while.</summary>
    private int TakeFor(Holder h)
    {
        for (var node = _queue.First; node is not null; node = node.Next)
        {
            if (h.MayHave(node.Value))
            {
                _queue.Remove(node);
                _inFlight[node.Value] = (1, _time.GetTimestamp());
                h.InFlight.Add(node.Value);
                return node.Value;
            }
        }

        // The publisher regenerates from its source a chunk it no longer holds (section 8, step 3): asked only for
        // chunks no other holder may supply, so replicas keep the load and the source is read only when needed.
        if (h.Publisher)
        {
            for (var node = _queue.First; node is not null; node = node.Next)
            {
                var i = node.Value;
                if (!h.Missing.Contains(i) && !_holders.Values.Any(o => o != h && !o.Bad && !o.Dead && o.MayHave(i)))
                {
                    _queue.Remove(node);
                    _inFlight[i] = (1, _time.GetTimestamp());
                    h.InFlight.Add(i);
                    return i;
                }
            }
        }

        if (_queue.Count == 0)
        {
            foreach (var (i, (count, since)) in _inFlight)
            {
                if (count == 1 && !h.InFlight.Contains(i) && h.MayHave(i) && _time.GetElapsedTime(since) > EndgameAfter)
                {
                    _inFlight[i] = (2, since);
                    h.InFlight.Add(i);
                    return i;
                }
            }
        }

        return -1;
    }

    /// <summary>A request for <paramref name="index"/> at <paramref name="h"/> ended without the chunk.</summary>
    private void Return(Holder h, int index)
    {
        h.InFlight.Remove(index);
        if (!_done[index] && _inFlight.TryGetValue(index, out var entry))
        {
            if (entry.Count > 1)
            {
                _inFlight[index] = (entry.Count - 1, entry.Since);
            }
            else
            {
                _inFlight.Remove(index);
                _queue.AddFirst(index);
            }
        }

        Pulse();
    }

    private void SlotExited()
    {
        _activeSlots--;
        CheckStuck();
    }

    private void CheckStuck()
    {
        // Chunks with the writer are not missing: they are stored, or storing fails the fetch on its own.
        var missing = _remaining - _withWriter;
        if (_activeSlots == 0 && missing > 0 && _noMoreSources)
        {
            _complete.TrySetException(new PhoenixException(
                PhoenixFailure.NotFound,
                $"{missing} of {_info.ChunkCount} chunks could not be fetched from {_holders.Count} holder(s)"
                + (_holders.Values.Any(h => h.Bad) ? $" ({_holders.Values.Count(h => h.Bad)} sent bad chunks)" : "")));
        }
    }

    private void Pulse()
    {
        var old = _changed;
        _changed = New();
        old.TrySetResult();
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Holder(IChunkSource source, bool publisher)
    {
        public IChunkSource Source { get; } = source;

        /// <summary>The record's publisher, which can regenerate what it no longer holds.</summary>
        public bool Publisher { get; } = publisher;

        public HashSet<int> Missing { get; } = [];

        public HashSet<int> InFlight { get; } = [];

        public bool Bad { get; set; }

        public bool Dead { get; set; }

        public int Delivered { get; set; }

        public bool MayHave(int index) => Holds(index) && !Missing.Contains(index);

        /// <summary>What its UrnFound said it holds.</summary>
        public bool Holds(int index) => Source.Have is null || (index < Source.Have.Length && Source.Have[index]);
    }
}
