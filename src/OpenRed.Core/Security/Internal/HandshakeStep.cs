namespace OpenRed.Core.Security.Internal;

/// <summary>Where a handshake state machine is; each step is entered once, and a failure is final.</summary>
internal enum HandshakeStep
{
    Start,
    AwaitingVerify,
    AwaitingFinalize,
    Done,
    Failed,
}

internal static class HandshakeStepExtensions
{
    /// <summary>Throws when a method is called out of order, repeated, or after a failure.</summary>
    public static void Require(this HandshakeStep expected, HandshakeStep actual)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"handshake step is {actual}, not {expected}");
        }
    }
}
