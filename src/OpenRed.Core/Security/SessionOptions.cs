using System.Buffers;
using OpenRed.Core.Wire;

namespace OpenRed.Core.Security;

/// <summary>Every interval and limit of the secure session (sections 6 and 11), with the spec's defaults.</summary>
public sealed record SessionOptions
{
    public static SessionOptions Default { get; } = new();

    /// <summary>Send a Ping when nothing was sent for this long.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Close the session when nothing was received for this long.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Rekey the sending direction after this many frames under one key (spec: at most 2^24).</summary>
    public long RekeyAfterFrames { get; init; } = 1L << 24;

    /// <summary>Rekey the sending direction after this many plaintext bytes under one key (spec: at most 2^36).</summary>
    public long RekeyAfterBytes { get; init; } = 1L << 36;

    /// <summary>Rekey the sending direction at least this often (spec: once an hour).</summary>
    public TimeSpan RekeyInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long <see cref="SecureSession.RequestAsync"/> waits for the answer.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Frames waiting to be written; when full, senders wait.</summary>
    public int SendQueueCapacity { get; init; } = 256;

    /// <summary>
    /// Bytes of frames waiting to be written or being written; when more would not fit, senders wait. An empty
    /// queue always takes one frame. Keeps a bulk sender's memory to a few MiB whatever the frame size.
    /// </summary>
    public int SendQueueBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>How long a sender may wait on a full queue, or one frame write may take, before the session closes.</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests from the peer awaiting our answer; more get Error RATE_LIMITED.</summary>
    public int MaxPendingRequests { get; init; } = 64;

    /// <summary>A frame body must arrive within this long of its length (section 4).</summary>
    public TimeSpan FrameBodyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Answers buffered for one streaming request (UrnQuery) that the caller has not read yet.</summary>
    public int MaxBufferedAnswers { get; init; } = 64;

    /// <summary>How often the liveness and rekey deadlines are checked.</summary>
    public TimeSpan HousekeepingInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>What a received envelope may hold (section 11); over a limit is a violation, except the reason texts, which are cut.</summary>
    public EnvelopeLimits EnvelopeLimits { get; init; } = EnvelopeLimits.Default;

    /// <summary>
    /// Whether the socket is read by a stage of its own that hands whole frames (at most
    /// <see cref="ReadAheadFrames"/> waiting) to the loop that decrypts and dispatches them, so that reading the next
    /// frame overlaps decrypting this one. Off: one loop reads, decrypts and dispatches in turn. See
    /// docs/BENCHMARKS-RESULTS.md for which is faster on a two-core machine.
    /// </summary>
    public bool OverlapDecryption { get; init; }

    /// <summary>Frames read ahead and waiting for decryption when <see cref="OverlapDecryption"/> is on.</summary>
    public int ReadAheadFrames { get; init; } = 4;

    /// <summary>Where received frames are read into; tests substitute one that inspects what is returned.</summary>
    internal ArrayPool<byte> ReceiveBufferPool { get; init; } = ArrayPool<byte>.Shared;

    internal void Validate()
    {
        Positive(PingInterval, nameof(PingInterval));
        Positive(IdleTimeout, nameof(IdleTimeout));
        Positive(RekeyInterval, nameof(RekeyInterval));
        Positive(RequestTimeout, nameof(RequestTimeout));
        Positive(SendTimeout, nameof(SendTimeout));
        Positive(FrameBodyTimeout, nameof(FrameBodyTimeout));
        Positive(HousekeepingInterval, nameof(HousekeepingInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadAheadFrames, 1, nameof(ReadAheadFrames));
        ArgumentOutOfRangeException.ThrowIfLessThan(RekeyAfterFrames, 2, nameof(RekeyAfterFrames));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(RekeyAfterFrames, 1L << 24, nameof(RekeyAfterFrames));
        ArgumentOutOfRangeException.ThrowIfLessThan(RekeyAfterBytes, 1, nameof(RekeyAfterBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(RekeyAfterBytes, 1L << 36, nameof(RekeyAfterBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(SendQueueCapacity, 1, nameof(SendQueueCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(SendQueueBytes, 1, nameof(SendQueueBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingRequests, 1, nameof(MaxPendingRequests));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBufferedAnswers, 1, nameof(MaxBufferedAnswers));
        ArgumentNullException.ThrowIfNull(EnvelopeLimits);
        EnvelopeLimits.Validate();
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, "must be positive");
        }
    }
}
