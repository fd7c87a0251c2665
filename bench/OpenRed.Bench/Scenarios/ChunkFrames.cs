using Google.Protobuf;
using OpenRed.Core.Wire;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Bench.Scenarios;

/// <summary>The ChunkData envelopes the throughput benchmark sends.</summary>
internal static class ChunkFrames
{
    public const int Root = 32;

    /// <summary>The largest data a ChunkData notification can carry within the 1 MiB plaintext limit, whatever its index.</summary>
    public static int MaxPayload()
    {
        int lo = 0, hi = WireLimits.MaxPlaintext;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (Size(mid) <= WireLimits.MaxPlaintext)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    public static Envelope Create(ByteString root, ByteString data, uint index) =>
        new() { ChunkData = new ChunkData { Root = root, Index = index, Data = data } };

    private static int Size(int payload) =>
        Create(ByteString.CopyFrom(new byte[Root]), ByteString.CopyFrom(new byte[payload]), uint.MaxValue).CalculateSize();
}
