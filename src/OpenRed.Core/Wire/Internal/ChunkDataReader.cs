using Google.Protobuf;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Wire.Internal;

/// <summary>
/// Parses an Envelope carrying ChunkData without copying its data: the Envelope's <c>ChunkData.Data</c> wraps the
/// caller's array, which the caller then gives up (it must never change again). Protobuf's parser copies every bytes
/// field, which for a 256 KiB chunk is a second pass over the payload after decryption. Only the plain layout is taken
/// (id, reply_to, one chunk_data holding root, index, data, each at most once, nothing else); anything else returns
/// false and the caller uses the ordinary parser, so the result is always what <c>Envelope.Parser</c> would give.
/// A pure function over bytes; the bytes must already have passed the <see cref="EnvelopeGuard"/>.
/// </summary>
internal static class ChunkDataReader
{
    private const int IdField = 1;
    private const int ReplyToField = 2;
    private const int ChunkDataField = 34;
    private const int RootField = 1;
    private const int IndexField = 2;
    private const int DataField = 3;

    public static bool TryParse(byte[] array, int offset, int length, out Envelope? envelope)
    {
        envelope = null;
        var span = array.AsSpan(offset, length);
        ulong id = 0, replyTo = 0;
        bool seenId = false, seenReplyTo = false, seenChunk = false;
        int chunkStart = 0, chunkLength = 0;
        var pos = 0;
        while (pos < span.Length)
        {
            if (!TryReadVarint(span, ref pos, out var tag))
            {
                return false;
            }

            var field = tag >> 3;
            var wire = tag & 7;
            if (field == IdField && wire == 0 && !seenId)
            {
                seenId = true;
                if (!TryReadVarint(span, ref pos, out id))
                {
                    return false;
                }
            }
            else if (field == ReplyToField && wire == 0 && !seenReplyTo)
            {
                seenReplyTo = true;
                if (!TryReadVarint(span, ref pos, out replyTo))
                {
                    return false;
                }
            }
            else if (field == ChunkDataField && wire == 2 && !seenChunk)
            {
                seenChunk = true;
                if (!TryReadLength(span, ref pos, out chunkLength))
                {
                    return false;
                }

                chunkStart = pos;
                pos += chunkLength;
            }
            else
            {
                return false;
            }
        }

        if (!seenChunk)
        {
            return false;
        }

        var chunk = span.Slice(chunkStart, chunkLength);
        ulong index = 0;
        bool seenRoot = false, seenIndex = false, seenData = false;
        int rootStart = 0, rootLength = 0, dataStart = 0, dataLength = 0;
        pos = 0;
        while (pos < chunk.Length)
        {
            if (!TryReadVarint(chunk, ref pos, out var tag))
            {
                return false;
            }

            var field = tag >> 3;
            var wire = tag & 7;
            if (field == IndexField && wire == 0 && !seenIndex)
            {
                seenIndex = true;
                if (!TryReadVarint(chunk, ref pos, out index) || index > uint.MaxValue)
                {
                    return false;
                }
            }
            else if (field == RootField && wire == 2 && !seenRoot)
            {
                seenRoot = true;
                if (!TryReadLength(chunk, ref pos, out rootLength))
                {
                    return false;
                }

                rootStart = pos;
                pos += rootLength;
            }
            else if (field == DataField && wire == 2 && !seenData)
            {
                seenData = true;
                if (!TryReadLength(chunk, ref pos, out dataLength))
                {
                    return false;
                }

                dataStart = pos;
                pos += dataLength;
            }
            else
            {
                return false;
            }
        }

        var message = new ChunkData { Index = (uint)index };
        if (rootLength > 0)
        {
            message.Root = ByteString.CopyFrom(chunk.Slice(rootStart, rootLength));
        }

        if (dataLength > 0)
        {
            message.Data = UnsafeByteOperations.UnsafeWrap(array.AsMemory(offset + chunkStart + dataStart, dataLength));
        }

        envelope = new Envelope { Id = id, ReplyTo = replyTo, ChunkData = message };
        return true;
    }

    private static bool TryReadLength(ReadOnlySpan<byte> span, ref int pos, out int length)
    {
        length = 0;
        if (!TryReadVarint(span, ref pos, out var value) || value > (ulong)(span.Length - pos))
        {
            return false;
        }

        length = (int)value;
        return true;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> span, ref int pos, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= span.Length)
            {
                return false;
            }

            var b = span[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }
}
