using System.Security.Cryptography;

namespace OpenRed.Core.Security.Internal;

/// <summary>The running transcript hash of section 5: starts at h0 = H(NAME); Mix(x) sets th = H(th || x).</summary>
internal sealed class TranscriptHash
{
    public const int Length = 32;

    private byte[] _th;

    public TranscriptHash() => _th = SHA256.HashData(HandshakeConstants.ProtocolName);

    /// <summary>A copy of the current value, so later mixing never changes what a caller holds.</summary>
    public byte[] Current => (byte[])_th.Clone();

    public void Mix(ReadOnlySpan<byte> x)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(_th);
        h.AppendData(x);
        _th = h.GetHashAndReset();
    }

    /// <summary>Mix(a || b) without building the concatenation.</summary>
    public void Mix(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(_th);
        h.AppendData(a);
        h.AppendData(b);
        _th = h.GetHashAndReset();
    }
}
