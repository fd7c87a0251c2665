using System.Security.Cryptography;

namespace OpenRed.Core.Security;

/// <summary>What a completed handshake hands to the secure session. The owner zeroes it when done.</summary>
public sealed class SessionKeys : IDisposable
{
    public SessionKeys(byte[] initiatorToResponder, byte[] responderToInitiator, byte[] sessionId)
    {
        InitiatorToResponder = initiatorToResponder;
        ResponderToInitiator = responderToInitiator;
        SessionId = sessionId;
    }

    /// <summary>k_i2r, 32 bytes.</summary>
    public byte[] InitiatorToResponder { get; }

    /// <summary>k_r2i, 32 bytes.</summary>
    public byte[] ResponderToInitiator { get; }

    /// <summary>16 bytes, for logs and channel binding; not secret.</summary>
    public byte[] SessionId { get; }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(InitiatorToResponder);
        CryptographicOperations.ZeroMemory(ResponderToInitiator);
    }
}
