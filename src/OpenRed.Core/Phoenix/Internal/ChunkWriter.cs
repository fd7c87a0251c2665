using System.Threading.Channels;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>A chunk whose length and hash the fetcher has checked, waiting to be stored.</summary>
internal readonly record struct VerifiedChunk(int Index, byte[] Hash, ReadOnlyMemory<byte> Data);

/// <summary>
/// Stores the verified chunks of one fetch on a loop of its own, so that a slot's next request goes out while the
/// chunk it just received is written: storing inline kept a slot without a request for the whole write. Files are
/// written (temporary file, then rename) before their index rows, and the rows of a batch go in one transaction;
/// a chunk is reported stored only after that commit. The queue is bounded, so a slow disk holds the slots back.
/// </summary>
internal sealed class ChunkWriter
{
    /// <summary>Chunks waiting for the writer (256 KiB each) before a slot waits to hand one over.</summary>
    public const int QueueCapacity = 16;

    /// <summary>Chunks written before their index rows are committed together.</summary>
    public const int BatchSize = 32;

    private readonly Channel<VerifiedChunk> _queue = Channel.CreateBounded<VerifiedChunk>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly ChunkStore _store;
    private readonly Action<List<VerifiedChunk>> _stored;

    /// <param name="stored">Called on the writer's loop with each batch once it is on disk and in the index.</param>
    public ChunkWriter(ChunkStore store, Action<List<VerifiedChunk>> stored)
    {
        _store = store;
        _stored = stored;
    }

    /// <summary>Waits for room in the queue.</summary>
    /// <exception cref="ChannelClosedException">The writer has stopped (the fetch ended or storing failed).</exception>
    public ValueTask AddAsync(VerifiedChunk chunk, CancellationToken cancellationToken) => _queue.Writer.WriteAsync(chunk, cancellationToken);

    /// <summary>No more chunks: the loop ends once the queue is drained.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>Stores until <see cref="Complete"/> or cancellation.</summary>
    /// <exception cref="IOException">A chunk could not be written; the queue is closed.</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = _queue.Reader;
        var batch = new List<VerifiedChunk>(BatchSize);
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                batch.Clear();
                while (batch.Count < BatchSize && reader.TryRead(out var chunk))
                {
                    batch.Add(chunk);
                }

                _store.PutVerified(batch);
                _stored(batch);
            }
        }
        finally
        {
            _queue.Writer.TryComplete();
        }
    }
}
