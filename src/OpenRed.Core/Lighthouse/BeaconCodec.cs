using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using OpenRed.Core.Identity;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Lighthouse;

/// <summary>The lighthouse datagram of section 3: "ORLH", version 0x01, then a Beacon. Pure functions.</summary>
public static class BeaconCodec
{
    public const byte Version = 1;
    public const int HeaderLength = 5;
    public const int DefaultMaxDatagram = 1200;
    public const uint MinIntervalSeconds = 1;
    public const uint MaxIntervalSeconds = 3600;

    public static ReadOnlySpan<byte> Magic => "ORLH"u8;

    public static byte[] Encode(Beacon beacon)
    {
        ArgumentNullException.ThrowIfNull(beacon);
        var datagram = new byte[HeaderLength + beacon.CalculateSize()];
        Magic.CopyTo(datagram);
        datagram[4] = Version;
        beacon.WriteTo(datagram.AsSpan(HeaderLength));
        return datagram;
    }

    public static bool TryParse(
        ReadOnlySpan<byte> datagram, [NotNullWhen(true)] out Beacon? beacon, out BeaconRejection rejection) =>
        TryParse(datagram, DefaultMaxDatagram, out beacon, out rejection);

    /// <summary>Checks size and header before parsing, then every field rule of sections 2 and 11.</summary>
    public static bool TryParse(
        ReadOnlySpan<byte> datagram, int maxDatagram, [NotNullWhen(true)] out Beacon? beacon, out BeaconRejection rejection)
    {
        beacon = null;
        rejection = CheckHeader(datagram, maxDatagram);
        if (rejection != BeaconRejection.None)
        {
            return false;
        }

        Beacon parsed;
        try
        {
            parsed = Beacon.Parser.ParseFrom(datagram[HeaderLength..]);
        }
        catch (InvalidProtocolBufferException)
        {
            rejection = BeaconRejection.Malformed;
            return false;
        }

        rejection = Validate(parsed);
        if (rejection != BeaconRejection.None)
        {
            return false;
        }

        beacon = parsed;
        return true;
    }

    /// <summary>Like <see cref="TryParse(ReadOnlySpan{byte}, int, out Beacon?, out BeaconRejection)"/>, throwing on rejection.</summary>
    public static Beacon Parse(ReadOnlySpan<byte> datagram, int maxDatagram = DefaultMaxDatagram) =>
        TryParse(datagram, maxDatagram, out var beacon, out var rejection)
            ? beacon
            : throw new ProtocolViolationException($"beacon rejected: {rejection}");

    /// <summary>The field rules alone, for a Beacon already parsed (or about to be sent).</summary>
    public static BeaconRejection Validate(Beacon beacon)
    {
        ArgumentNullException.ThrowIfNull(beacon);
        if (beacon.Fingerprint.Length != Fingerprint.Length)
        {
            return BeaconRejection.BadFingerprint;
        }

        if (!NodeLabels.IsValidNodeId(beacon.NodeId))
        {
            return BeaconRejection.BadNodeId;
        }

        if (!NodeLabels.IsValidSector(beacon.Sector))
        {
            return BeaconRejection.BadSector;
        }

        if (beacon.TcpPort is 0 or > ushort.MaxValue)
        {
            return BeaconRejection.BadPort;
        }

        if (beacon.IntervalS is < MinIntervalSeconds or > MaxIntervalSeconds)
        {
            return BeaconRejection.BadInterval;
        }

        return BeaconRejection.None;
    }

    private static BeaconRejection CheckHeader(ReadOnlySpan<byte> datagram, int maxDatagram)
    {
        if (datagram.Length > maxDatagram)
        {
            return BeaconRejection.TooLarge;
        }

        if (datagram.Length < HeaderLength)
        {
            return BeaconRejection.Truncated;
        }

        if (!datagram[..4].SequenceEqual(Magic))
        {
            return BeaconRejection.BadMagic;
        }

        return datagram[4] == Version ? BeaconRejection.None : BeaconRejection.BadVersion;
    }
}
