using System.Security.Cryptography;

namespace OpenRed.Core.Security.Internal;

/// <summary>AES-256-GCM with the 16-byte tag appended to the ciphertext, as the wire carries it.</summary>
internal static class Aead
{
    public const int KeyLength = 32;
    public const int NonceLength = 12;
    public const int TagLength = 16;

    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        var sealedBytes = new byte[plaintext.Length + TagLength];
        using var gcm = new AesGcm(key, TagLength);
        gcm.Encrypt(nonce, plaintext, sealedBytes.AsSpan(0, plaintext.Length), sealedBytes.AsSpan(plaintext.Length), aad);
        return sealedBytes;
    }

    /// <summary>Returns the plaintext, or null when the input is too short or does not authenticate.</summary>
    public static byte[]? TryOpen(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> sealedBytes)
    {
        if (sealedBytes.Length < TagLength)
        {
            return null;
        }

        var length = sealedBytes.Length - TagLength;
        var plaintext = new byte[length];
        using var gcm = new AesGcm(key, TagLength);
        try
        {
            gcm.Decrypt(nonce, sealedBytes[..length], sealedBytes[length..], plaintext, aad);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            // Decrypt already zeroes the output on failure; nothing unauthenticated leaves this method.
            return null;
        }
    }
}
