using System.Buffers;
using Google.Protobuf;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>
/// Answers ChunkRequest from the store, checked against its hash on the way out; at the publisher, a chunk no
/// longer held is read again from the source file, and served only while its hash still matches the record.
/// </summary>
internal sealed class ChunkServer(PhoenixIndex index, ChunkStore store, PhoenixCounters counters)
{
    public async Task HandleAsync(Envelope request, PhoenixReply reply, CancellationToken cancellationToken)
    {
        var r = request.ChunkRequest;
        if (r.Root.Length != UrnRecords.HashLength)
        {
            counters.Refuse(Refusal.BadChunkRequest);
            await reply(Errors.Of(ErrorCode.BadRequest, "root is not 32 bytes"), true, cancellationToken);
            return;
        }

        var (data, length, pooled) = Find(r.Root.ToByteArray(), r.Index);
        if (data is null)
        {
            await reply(Errors.Of(ErrorCode.NotFound, "chunk not held"), true, cancellationToken);
            return;
        }

        try
        {
            counters.ChunkServed();
            var answer = new ChunkData { Root = r.Root, Index = r.Index, Data = UnsafeByteOperations.UnsafeWrap(data.AsMemory(0, length)) };
            await reply(new Envelope { ChunkData = answer }, true, cancellationToken);
        }
        finally
        {
            // The reply copied the bytes into its frame (PhoenixReply's contract): the buffer can go back.
            if (pooled)
            {
                ArrayPool<byte>.Shared.Return(data);
            }
        }
    }

    private (byte[]? Data, int Length, bool Pooled) Find(byte[] root, uint i)
    {
        if (index.Get(root) is not { } stored || i >= (uint)stored.Info.ChunkCount)
        {
            return (null, 0, false);
        }

        var info = stored.Info;
        var hash = info.Hash((int)i);
        var length = info.ChunkLength((int)i);
        var held = store.ReadPooled(hash, length);
        if (held is not null)
        {
            return (held, length, true);
        }

        if (stored.Role != UrnRole.Published || stored.SourcePath is null)
        {
            return (null, 0, false);
        }

        var data = SourceFile.Regenerate(stored.SourcePath, (int)i, length, hash, out var changed);
        if (data is null)
        {
            if (changed && !stored.SourceChanged)
            {
                index.MarkSourceChanged(root);
            }

            return (null, 0, false);
        }

        counters.ChunkRegenerated();
        store.Put(hash, data);
        return (data, data.Length, false);
    }
}
