using System.Threading.Channels;
using OpenRed.Core.Security.Internal;
using OpenRed.Core.Wire;
using OpenRed.Core.Wire.Internal;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Security;

public sealed partial class SecureSession
{
    /// <summary>
    /// The receive path in two stages (<see cref="SessionOptions.OverlapDecryption"/>): a read stage takes whole frames
    /// off the socket into buffers of their own and queues them (bounded, so a slow consumer still stops the reads
    /// and the peer's sends); this loop decrypts and dispatches them in order, as the single loop does.
    /// </summary>
    private async Task OverlappedReceiveLoopAsync(FrameReader reader, CancellationToken cancellationToken)
    {
        var frames = Channel.CreateBounded<OwnedFrame>(new BoundedChannelOptions(_options.ReadAheadFrames)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        // Awaited by RunAsync with the other loops: it ends when the stream is closed, after this loop.
        _readStage = ReadStageAsync(reader, frames.Writer, cancellationToken);
        try
        {
            while (await frames.Reader.WaitToReadAsync(cancellationToken))
            {
                while (frames.Reader.TryRead(out var frame))
                {
                    Envelope envelope;
                    bool unknownBody;
                    try
                    {
                        envelope = Open(frame.Span, out unknownBody);
                    }
                    finally
                    {
                        reader.ReturnBuffer(frame);
                    }

                    if (!await DispatchAsync(envelope, unknownBody, cancellationToken))
                    {
                        return;
                    }
                }
            }

            TrySetCloseInfo(SessionCloseKind.ConnectionLost, "the peer closed the connection");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // Any failure of the stream ends the session; the loop itself must never fault.
        catch (Exception e)
#pragma warning restore CA1031
        {
            EndReceiving(e);
        }

        // Frames read but not dispatched are dropped with their buffers (ciphertext only; the pool does not need them).
    }

    /// <summary>Reads frames until the stream ends (completes the queue) or fails (completes it with the error).</summary>
    private static async Task ReadStageAsync(FrameReader reader, ChannelWriter<OwnedFrame> frames, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            while (await reader.ReadOwnedAsync(cancellationToken) is { } frame)
            {
                await frames.WriteAsync(frame, cancellationToken);
            }

            frames.TryComplete();
            reader.Dispose();
        }
#pragma warning disable CA1031 // The consumer sees the error through the queue.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // After a failed read the stream may still be writing into the buffer: it is dropped, not pooled.
            frames.TryComplete(e);
        }
    }
}
