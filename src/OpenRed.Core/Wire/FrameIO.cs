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
        var header = new byte[WireLimits.LengthPrefixBytes];
        if (!await ReadExactOrEndAsync(stream, header, cancellationToken))
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length < (uint)min || length > (uint)max)
        {
            throw new ProtocolViolationException($"frame length {length} is outside {min}..{max}");
        }

        var body = new byte[length];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var timer = time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), deadline, bodyTimeout, Timeout.InfiniteTimeSpan);
        try
        {
            await stream.ReadExactlyAsync(body, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProtocolViolationException($"frame body of {length} bytes did not arrive within {bodyTimeout.TotalSeconds:0.#} s");
        }
        catch (EndOfStreamException e)
        {
            throw new ProtocolViolationException("stream ended inside a frame", e);
        }

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

    private static async Task<bool> ReadExactOrEndAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
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
