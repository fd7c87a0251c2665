using System.Buffers;
using System.Buffers.Binary;

namespace OpenRed.Core.Wire;

/// <summary>Length-prefixed frames over a stream (section 4). The length is checked before the body is read.</summary>
public static class FrameIO
{
    /// <summary>
    /// Reads one frame body. Returns null on a clean end of stream before any byte of a frame.
    /// Throws <see cref="ProtocolViolationException"/> when the length is out of bounds, the stream ends
    /// inside a frame, or the body does not arrive within <paramref name="bodyTimeout"/> of its length.
    /// </summary>
    public static async Task<byte[]?> ReadFrameAsync(
        Stream stream, int min, int max, TimeSpan bodyTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var length = await ReadLengthAsync(stream, min, max, cancellationToken);
        if (length < 0)
        {
            return null;
        }

        var body = new byte[length];
        await ReadBodyAsync(stream, body, bodyTimeout, time, cancellationToken);
        return body;
    }

    /// <summary>
    /// Like <see cref="ReadFrameAsync"/>, but the body lands in an array rented from <paramref name="pool"/>: the
    /// result is its first <c>Count</c> bytes, and the caller returns <c>Array</c> to the pool once done with them.
    /// On a clean end of stream the result has a null <c>Array</c>. Bulk receivers use it so that a frame costs no
    /// fresh (large-object, page-faulted) allocation. When it throws, the caller owns nothing.
    /// </summary>
    public static async ValueTask<ArraySegment<byte>> ReadPooledFrameAsync(
        Stream stream, ArrayPool<byte> pool, int min, int max, TimeSpan bodyTimeout, TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var length = await ReadLengthAsync(stream, min, max, cancellationToken);
        if (length < 0)
        {
            return default;
        }

        var buffer = pool.Rent(length);
        var body = new ArraySegment<byte>(buffer, 0, length);
        // A failed read (cancelled or torn) may leave an operation in flight on the buffer: it is dropped, not returned.
        await ReadBodyAsync(stream, body, bodyTimeout, time, cancellationToken);
        return body;
    }

    /// <summary>Writes the 4-byte big-endian length, then the body, in one write.</summary>
    public static async ValueTask WriteFrameAsync(Stream stream, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var frame = new byte[WireLimits.LengthPrefixBytes + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame.AsMemory(WireLimits.LengthPrefixBytes));
        await stream.WriteAsync(frame, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>Reads and checks the length prefix; -1 on a clean end of stream.</summary>
    private static async ValueTask<int> ReadLengthAsync(Stream stream, int min, int max, CancellationToken cancellationToken)
    {
        var header = new byte[WireLimits.LengthPrefixBytes];
        if (!await ReadExactOrEndAsync(stream, header, cancellationToken))
        {
            return -1;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length < (uint)min || length > (uint)max)
        {
            throw new ProtocolViolationException($"frame length {length} is outside {min}..{max}");
        }

        return (int)length;
    }

    private static async ValueTask ReadBodyAsync(
        Stream stream, Memory<byte> body, TimeSpan bodyTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (bodyTimeout == Timeout.InfiniteTimeSpan)
        {
            // The caller keeps a longer deadline of its own (the handshake's): no timer per frame.
            try
            {
                await stream.ReadExactlyAsync(body, cancellationToken);
            }
            catch (EndOfStreamException e)
            {
                throw new ProtocolViolationException("stream ended inside a frame", e);
            }

            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timer = time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), deadline, bodyTimeout, Timeout.InfiniteTimeSpan);
        try
        {
            await stream.ReadExactlyAsync(body, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProtocolViolationException($"frame body of {body.Length} bytes did not arrive within {bodyTimeout.TotalSeconds:0.#} s");
        }
        catch (EndOfStreamException e)
        {
            throw new ProtocolViolationException("stream ended inside a frame", e);
        }
    }

    private static async ValueTask<bool> ReadExactOrEndAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                if (read == 0)
                {
                    return false;
                }

                throw new ProtocolViolationException("stream ended inside a frame length");
            }

            read += n;
        }

        return true;
    }
}
