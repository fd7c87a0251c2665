using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace OpenRed.Core.Security.Internal;

/// <summary>An X25519 key pair that lives for one handshake. Dispose overwrites the private key.</summary>
internal sealed class EphemeralKey : IDisposable
{
    public const int Length = 32;

    private readonly byte[] _private;
    private bool _disposed;

    /// <param name="privateKey">32 bytes; RFC 7748 clamping is applied by the scalar multiplication, so any bytes do.</param>
    public EphemeralKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != Length)
        {
            throw new ArgumentException($"an X25519 private key is {Length} bytes", nameof(privateKey));
        }

        _private = privateKey.ToArray();
        PublicKey = new byte[Length];
        X25519.ScalarMultBase(_private, 0, PublicKey, 0);
    }

    public byte[] PublicKey { get; }

    /// <summary>
    /// Writes X25519(private, peer) to <paramref name="shared"/>. False when the result is all zero
    /// (the peer sent a low-order point), which the spec makes an abort.
    /// </summary>
    public bool TryAgree(ReadOnlySpan<byte> peerPublic, Span<byte> shared)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (peerPublic.Length != Length || shared.Length != Length)
        {
            return false;
        }

        var peer = peerPublic.ToArray();
        var result = new byte[Length];
        try
        {
            if (!X25519.CalculateAgreement(_private, 0, peer, 0, result, 0))
            {
                return false;
            }

            result.CopyTo(shared);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(result);
        }
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_private);
        _disposed = true;
    }
}
