using System.Security.Cryptography;
using System.Text;

namespace OpenRed.Core.Identity;

/// <summary>RSASSA-PSS with SHA-256 and a 32-byte salt over "context || 0x00 || payload".</summary>
public static class Signer
{
    public static byte[] ContextMessage(string context, ReadOnlySpan<byte> payload)
    {
        var ctx = Encoding.ASCII.GetBytes(context);
        var m = new byte[ctx.Length + 1 + payload.Length];
        ctx.CopyTo(m, 0);
        payload.CopyTo(m.AsSpan(ctx.Length + 1));
        return m;
    }

    public static byte[] Sign(RSA key, ReadOnlySpan<byte> message) =>
        key.SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

    public static bool Verify(RSA key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        signature.Length == key.KeySize / 8
        && key.VerifyData(message, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
}
