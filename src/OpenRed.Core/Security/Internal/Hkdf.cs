using System.Security.Cryptography;
using System.Text;

namespace OpenRed.Core.Security.Internal;

/// <summary>
/// HKDF-SHA256 in the spec's argument order. <see cref="HKDF.Extract(HashAlgorithmName, ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>
/// takes the key material before the salt; this wrapper is the one place that gets it right.
/// </summary>
internal static class Hkdf
{
    public const int PrkLength = 32;

    /// <summary>Extract(salt, ikm) into a new 32-byte buffer the caller owns and erases.</summary>
    public static byte[] Extract(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> ikm)
    {
        var prk = new byte[PrkLength];
        HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt, prk);
        return prk;
    }

    /// <summary>Expand(prk, info, length) with an ASCII info label and no terminator.</summary>
    public static byte[] Expand(ReadOnlySpan<byte> prk, string info, int length)
    {
        var output = new byte[length];
        HKDF.Expand(HashAlgorithmName.SHA256, prk, output, Encoding.ASCII.GetBytes(info));
        return output;
    }
}
