using System.Buffers;
using Google.Protobuf;
using OpenRed.Core.Wire;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Security.Internal;

internal enum SessionOutgoingKind
{
    Envelope,
    LivenessPing,
    Rekey,
    RekeyIfDue,
    Goodbye,
}

/// <summary>
/// One entry of the bounded send queue. An envelope is serialized when it is queued (so callers may reuse their
/// envelope and the bytes it wraps) straight into a pooled buffer laid out as the frame it becomes: room for the
/// length, the plaintext, room for the tag. The send loop seals it in place, writes it and gives the buffer back.
/// </summary>
internal sealed class SessionOutgoing
{
    private byte[]? _frame;
    private SessionSendBudget? _budget;
    private int _released;

    private SessionOutgoing(SessionOutgoingKind kind, byte[]? frame, int plaintextLength, bool trackWritten)
    {
        Kind = kind;
        _frame = frame;
        PlaintextLength = plaintextLength;
        Written = trackWritten ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
    }

    public SessionOutgoingKind Kind { get; }

    /// <summary>Bytes of the serialized envelope; 0 for the entries that carry none (Rekey, RekeyIfDue).</summary>
    public int PlaintextLength { get; }

    /// <summary>Bytes this entry puts on the wire, counted against the queue's byte bound.</summary>
    public int FrameLength => _frame is null ? 0 : FrameCipher.FrameLength(PlaintextLength);

    /// <summary>Completes once the frame is on the stream, for callers that must know (rekey).</summary>
    public TaskCompletionSource? Written { get; }

    /// <summary>An entry with no envelope of its own: the send loop makes the Rekey frame itself.</summary>
    public static SessionOutgoing Control(SessionOutgoingKind kind, bool trackWritten = false) => new(kind, null, 0, trackWritten);

    /// <summary>Serializes <paramref name="envelope"/>; throws <see cref="ArgumentException"/> when it exceeds the frame limit.</summary>
    public static SessionOutgoing FromEnvelope(SessionOutgoingKind kind, Envelope envelope)
    {
        var size = envelope.CalculateSize();
        if (size > WireLimits.MaxPlaintext)
        {
            throw new ArgumentException($"envelope of {size} bytes exceeds the {WireLimits.MaxPlaintext}-byte frame limit", nameof(envelope));
        }

        var frame = ArrayPool<byte>.Shared.Rent(FrameCipher.FrameLength(size));
        try
        {
            envelope.WriteTo(frame.AsSpan(WireLimits.LengthPrefixBytes, size));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(frame);
            throw;
        }

        return new SessionOutgoing(kind, frame, size, trackWritten: false);
    }

    /// <summary>The frame buffer: length room, plaintext, tag room. Sealed in place by the send loop.</summary>
    public ArraySegment<byte> Frame =>
        new(_frame ?? throw new InvalidOperationException("this entry carries no frame"), 0, FrameLength);

    /// <summary>Records the queue bytes this entry holds until it is released.</summary>
    public void Hold(SessionSendBudget budget) => _budget = budget;

    /// <summary>
    /// Gives back, once, the queue bytes and the buffer. <paramref name="reuseBuffer"/> is false after a failed
    /// write, which might still be using the buffer: it is then left to the garbage collector.
    /// </summary>
    public void Release(bool reuseBuffer)
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        _budget?.Release(FrameLength);
        var frame = _frame;
        _frame = null;
        if (frame is not null && reuseBuffer)
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }
}
