using System.Security.Cryptography;

namespace OpenRed.Core.Identity;

/// <summary>The spec's one-encoding rule for public keys: RSA-2048, e = 65537, canonical SPKI DER.</summary>
public static class RsaPublicKey
{
    public const int ModulusBits = 2048;
    private static readonly byte[] Exponent65537 = [0x01, 0x00, 0x01];

    /// <summary>Imports a received SPKI, or returns null with the reason it is refused.</summary>
    public static RSA? TryImport(ReadOnlySpan<byte> spki, out string? error)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(spki, out var read);
            if (read != spki.Length)
            {
                error = "public key has trailing bytes";
            }
            else if (rsa.KeySize != ModulusBits)
            {
                error = $"public key is RSA-{rsa.KeySize}, not RSA-{ModulusBits}";
            }
            else if (!rsa.ExportParameters(false).Exponent.AsSpan().SequenceEqual(Exponent65537))
            {
                error = "public key exponent is not 65537";
            }
            else if (!rsa.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(spki))
            {
                // Import is lenient; re-encoding catches non-canonical DER so every key has one fingerprint.
                error = "public key is not in canonical DER";
            }
            else
            {
                error = null;
                return rsa;
            }
        }
        catch (CryptographicException)
        {
            error = "public key is not an RSA SubjectPublicKeyInfo";
        }

        rsa.Dispose();
        return null;
    }

    public static bool IsAcceptable(RSA rsa) =>
        rsa.KeySize == ModulusBits && rsa.ExportParameters(false).Exponent.AsSpan().SequenceEqual(Exponent65537);
}
