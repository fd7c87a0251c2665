using System.Security.Cryptography;

namespace OpenRed.Core.Security.Internal;

/// <summary>Where a handshake gets its ephemeral private key and nonce; tests substitute fixed values.</summary>
internal interface IHandshakeEntropy
{
    /// <summary>Fills 32 bytes of X25519 private key.</summary>
    void FillEphemeralPrivateKey(Span<byte> destination);

    /// <summary>Fills the 32-byte nonce.</summary>
    void FillNonce(Span<byte> destination);
}

/// <summary>The operating system's CSPRNG.</summary>
internal sealed class SystemHandshakeEntropy : IHandshakeEntropy
{
    public static SystemHandshakeEntropy Instance { get; } = new();

    public void FillEphemeralPrivateKey(Span<byte> destination) => RandomNumberGenerator.Fill(destination);

    public void FillNonce(Span<byte> destination) => RandomNumberGenerator.Fill(destination);
}
