using System.Security.Cryptography;

namespace OpenRed.Core.Identity;

/// <summary>The spec's one-encoding rule for public keys: RSA-2048, e = 65537, canonical SPKI DER.</summary>
public static class RsaPublicKey
{
    public const int ModulusBits = 2048;
    private static readonly byte[] Exponent65537 = [0x01, 0x00, 0x01];

    /// <summary>The canonical DER of an RSA-2048 SPKI with e = 65537: this prefix, the 256-byte modulus, the suffix.</summary>
    private static ReadOnlySpan<byte> CanonicalPrefix =>
    [
        0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
        0x03, 0x82, 0x01, 0x0f, 0x00, 0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01, 0x00,
    ];

    private static ReadOnlySpan<byte> CanonicalSuffix => [0x02, 0x03, 0x01, 0x00, 0x01];

    private const int ModulusBytes = ModulusBits / 8;

    public const int CanonicalSpkiLength = 33 + ModulusBytes + 5;

    /// <summary>Imports a received SPKI, or returns null with the reason it is refused.</summary>
    public static RSA? TryImport(ReadOnlySpan<byte> spki, out string? error)
    {
        // Every acceptable key has exactly this layout (a 2048-bit modulus has its top bit set, hence the 0x00 pad),
        // so comparing bytes enforces the one-encoding rule without the cost of re-exporting the key.
        if (spki.Length == CanonicalSpkiLength
            && spki.StartsWith(CanonicalPrefix)
            && spki.EndsWith(CanonicalSuffix)
            && (spki[CanonicalPrefix.Length] & 0x80) != 0)
        {
            var rsa = RSA.Create();
            try
            {
                rsa.ImportSubjectPublicKeyInfo(spki, out _);
                error = null;
                return rsa;
            }
            catch (CryptographicException)
            {
                rsa.Dispose();
                error = "public key is not an RSA SubjectPublicKeyInfo";
                return null;
            }
        }

        error = Explain(spki);
        return null;
    }

    // Only for keys already refused: says why, for logs and handshake failure messages.
    private static string Explain(ReadOnlySpan<byte> spki)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(spki, out var read);
            if (read != spki.Length)
            {
                return "public key has trailing bytes";
            }

            if (rsa.KeySize != ModulusBits)
            {
                return $"public key is RSA-{rsa.KeySize}, not RSA-{ModulusBits}";
            }

            if (!rsa.ExportParameters(false).Exponent.AsSpan().SequenceEqual(Exponent65537))
            {
                return "public key exponent is not 65537";
            }

            return "public key is not in canonical DER";
        }
        catch (CryptographicException)
        {
            return "public key is not an RSA SubjectPublicKeyInfo";
        }
    }

    public static bool IsAcceptable(RSA rsa) =>
        rsa.KeySize == ModulusBits && rsa.ExportParameters(false).Exponent.AsSpan().SequenceEqual(Exponent65537);
}
