using System.Security.Cryptography;
using Google.Protobuf;
using OpenRed.Core.Identity;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Security.Internal;

/// <summary>The sealed Auth { identity, signature } of phases 2 and 3, and the checks on a received one.</summary>
internal static class HandshakeAuth
{
    public static byte[] Encode(ReadOnlySpan<byte> identity, ReadOnlySpan<byte> signature) =>
        new Auth { Identity = ByteString.CopyFrom(identity), Signature = ByteString.CopyFrom(signature) }.ToByteArray();

    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> auth) =>
        Aead.Seal(key, HandshakeConstants.ZeroNonce, aad, auth);

    /// <summary>Opens a sealed Auth and parses it; throws on a failed open or a malformed message.</summary>
    public static Auth Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> sealedAuth, out byte[] plaintext)
    {
        plaintext = Aead.TryOpen(key, HandshakeConstants.ZeroNonce, aad, sealedAuth)
            ?? throw new HandshakeFailedException(HandshakeFailure.DecryptionFailed, "sealed Auth does not open");
        return HandshakeWire.Parse(Auth.Parser, plaintext, "Auth");
    }

    /// <summary>Verifies the peer's PSS signature over "context || 0x00 || th".</summary>
    public static void VerifySignature(RSA peerKey, string context, ReadOnlySpan<byte> th, ReadOnlySpan<byte> signature)
    {
        bool valid;
        try
        {
            valid = Signer.Verify(peerKey, Signer.ContextMessage(context, th), signature);
        }
        catch (CryptographicException)
        {
            valid = false;
        }

        if (!valid)
        {
            throw new HandshakeFailedException(HandshakeFailure.InvalidSignature, "peer signature does not verify");
        }
    }

    /// <summary>The self-connection check, constant-time like every fingerprint comparison.</summary>
    public static void CheckNotSelf(LocalIdentity local, PeerIdentity peer)
    {
        if (local.Keys.Fingerprint.FixedTimeEquals(peer.Fingerprint.Bytes))
        {
            throw new HandshakeFailedException(HandshakeFailure.SelfConnection, "peer has this node's own fingerprint");
        }
    }
}
