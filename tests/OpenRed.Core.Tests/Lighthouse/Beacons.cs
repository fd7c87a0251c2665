using System.Buffers.Binary;
using Google.Protobuf;
using OpenRed.Core.Identity;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Tests.Lighthouse;

/// <summary>Builders for beacons and fingerprints in lighthouse tests.</summary>
internal static class Beacons
{
    public static Fingerprint Fp(int n)
    {
        var bytes = new byte[Fingerprint.Length];
        bytes[0] = 0xAB;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(28), n);
        return Fingerprint.FromBytes(bytes);
    }

    public static Beacon Make(
        int fp = 1, string nodeId = "node1", string sector = "general", uint port = 4000, ulong instance = 1,
        uint interval = 30, bool solicit = false, bool goodbye = false, ulong seq = 1) =>
        Make(Fp(fp), nodeId, sector, port, instance, interval, solicit, goodbye, seq);

    public static Beacon Make(
        Fingerprint fingerprint, string nodeId = "node1", string sector = "general", uint port = 4000, ulong instance = 1,
        uint interval = 30, bool solicit = false, bool goodbye = false, ulong seq = 1) =>
        new()
        {
            NodeId = nodeId,
            Fingerprint = ByteString.CopyFrom(fingerprint.Bytes),
            Sector = sector,
            TcpPort = port,
            Instance = instance,
            Seq = seq,
            IntervalS = interval,
            Solicit = solicit,
            Goodbye = goodbye,
        };
}
