namespace OpenRed.Core.Security.Internal;

/// <summary>The fixed strings and sizes of section 5.</summary>
internal static class HandshakeConstants
{
    public const uint Version = 1;
    public const int EphemeralLength = 32;
    public const int NonceLength = 32;
    public const int KeyLength = 32;
    public const int SessionIdLength = 16;

    public const string VerifyContext = "OpenRed/1 VERIFY";
    public const string FinalizeContext = "OpenRed/1 FINALIZE";

    public const string HandshakeR2I = "openred/1 hs r2i";
    public const string HandshakeI2R = "openred/1 hs i2r";
    public const string SessionI2R = "openred/1 i2r";
    public const string SessionR2I = "openred/1 r2i";
    public const string SessionIdLabel = "openred/1 session id";

    public static ReadOnlySpan<byte> ProtocolName => "OpenRed/1 X25519 RSA-PSS-SHA256 AES-256-GCM HKDF-SHA256"u8;

    /// <summary>Each handshake key seals exactly one message, so the all-zero nonce is safe.</summary>
    public static ReadOnlySpan<byte> ZeroNonce => ZeroNonceBytes;

    private static readonly byte[] ZeroNonceBytes = new byte[Aead.NonceLength];
}
