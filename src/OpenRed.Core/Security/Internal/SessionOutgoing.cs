namespace OpenRed.Core.Security.Internal;

internal enum SessionOutgoingKind
{
    Envelope,
    LivenessPing,
    Rekey,
    RekeyIfDue,
    Goodbye,
}

/// <summary>One entry of the bounded send queue: plaintext already serialized, so callers may reuse their envelope.</summary>
internal sealed class SessionOutgoing(SessionOutgoingKind kind, byte[]? plaintext, bool trackWritten = false)
{
    public SessionOutgoingKind Kind { get; } = kind;

    public byte[]? Plaintext { get; } = plaintext;

    /// <summary>Completes once the frame is on the stream, for callers that must know (rekey).</summary>
    public TaskCompletionSource? Written { get; } =
        trackWritten ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
}
