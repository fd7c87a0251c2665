namespace OpenRed.Core.Security;

/// <summary>The handshake deadlines of sections 4, 5 and 11, with the spec's defaults.</summary>
public sealed record HandshakeOptions
{
    public static HandshakeOptions Default { get; } = new();

    /// <summary>The whole handshake, counted from the moment the driver starts (call it right after connect or accept).</summary>
    public TimeSpan Total { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Responder: from the start until REQUEST has arrived.</summary>
    public TimeSpan UntilRequest { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Responder: from sending VERIFY until FINALIZE has arrived.</summary>
    public TimeSpan VerifyToFinalize { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>A frame body must arrive within this time of its length (section 4).</summary>
    public TimeSpan FrameBodyTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
