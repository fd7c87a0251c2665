using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenRed.Core.Identity;

namespace OpenRed.Core.Social;

/// <summary>
/// A fingerprint as two people can read it to each other to check a link: six groups of five digits. Each group is
/// five bytes of <c>SHA-256("openred/1 safety code" || 0x00 || fingerprint)</c> read as a big-endian number, modulo
/// 100000 (about 99 bits in all). Hashing again spreads every bit of the fingerprint over the digits.
/// </summary>
public static class SafetyCode
{
    private static readonly byte[] Context = Encoding.ASCII.GetBytes("openred/1 safety code\0");

    public static string Of(Fingerprint fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        Span<byte> input = stackalloc byte[Context.Length + Fingerprint.Length];
        Context.CopyTo(input);
        fingerprint.Bytes.CopyTo(input[Context.Length..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        var groups = new string[6];
        Span<byte> eight = stackalloc byte[8];
        for (var g = 0; g < groups.Length; g++)
        {
            eight.Clear();
            hash.Slice(g * 5, 5).CopyTo(eight[3..]);
            var n = BinaryPrimitives.ReadUInt64BigEndian(eight) % 100000;
            groups[g] = n.ToString("D5", CultureInfo.InvariantCulture);
        }

        return string.Join(' ', groups);
    }
}
