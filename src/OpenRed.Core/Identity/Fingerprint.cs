using System.Security.Cryptography;

namespace OpenRed.Core.Identity;

/// <summary>SHA-256 of a node's SPKI DER: the only thing that identifies a node.</summary>
public sealed class Fingerprint : IEquatable<Fingerprint>, IComparable<Fingerprint>
{
    public const int Length = 32;
    public const int MinPrefixHexDigits = 8;

    private readonly byte[] _bytes;

    private Fingerprint(byte[] bytes) => _bytes = bytes;

    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>64 lowercase hex digits.</summary>
    public string Hex => Convert.ToHexStringLower(_bytes);

    /// <summary>The first 16 hex digits, for people.</summary>
    public string Short => Hex[..16];

    public static Fingerprint Of(ReadOnlySpan<byte> spkiDer) => new(SHA256.HashData(spkiDer));

    public static Fingerprint FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"a fingerprint is {Length} bytes, not {bytes.Length}", nameof(bytes));
        }

        return new Fingerprint(bytes.ToArray());
    }

    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, out Fingerprint? fingerprint)
    {
        fingerprint = bytes.Length == Length ? new Fingerprint(bytes.ToArray()) : null;
        return fingerprint is not null;
    }

    public static bool TryParseHex(string text, out Fingerprint? fingerprint)
    {
        fingerprint = null;
        if (text.Length != Length * 2 || !IsHex(text))
        {
            return false;
        }

        fingerprint = new Fingerprint(Convert.FromHexString(text));
        return true;
    }

    /// <summary>True when <paramref name="prefix"/> is at least 8 hex digits and starts this fingerprint.</summary>
    public bool MatchesPrefix(string prefix) =>
        prefix.Length >= MinPrefixHexDigits && prefix.Length <= Length * 2 && IsHex(prefix)
        && Hex.StartsWith(prefix.ToLowerInvariant(), StringComparison.Ordinal);

    /// <summary>Constant-time comparison, for checks against an expected fingerprint.</summary>
    public bool FixedTimeEquals(ReadOnlySpan<byte> other) =>
        other.Length == Length && CryptographicOperations.FixedTimeEquals(_bytes, other);

    public bool Equals(Fingerprint? other) => other is not null && FixedTimeEquals(other._bytes);

    public override bool Equals(object? obj) => obj is Fingerprint f && Equals(f);

    /// <summary>
    /// Over all 32 bytes with the process's randomly keyed hash: the bytes come from peers, who could otherwise pick
    /// keys whose fingerprints collide in a dictionary keyed by fingerprint.
    /// </summary>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    /// <summary>Bytewise order; the spec's "lower fingerprint" rules use it.</summary>
    public int CompareTo(Fingerprint? other) =>
        other is null ? 1 : _bytes.AsSpan().SequenceCompareTo(other._bytes);

    public override string ToString() => Hex;

    public static bool operator ==(Fingerprint? a, Fingerprint? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(Fingerprint? a, Fingerprint? b) => !(a == b);

    public static bool operator <(Fingerprint a, Fingerprint b) => a.CompareTo(b) < 0;

    public static bool operator >(Fingerprint a, Fingerprint b) => a.CompareTo(b) > 0;

    public static bool operator <=(Fingerprint a, Fingerprint b) => a.CompareTo(b) <= 0;

    public static bool operator >=(Fingerprint a, Fingerprint b) => a.CompareTo(b) >= 0;

    private static bool IsHex(string s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
