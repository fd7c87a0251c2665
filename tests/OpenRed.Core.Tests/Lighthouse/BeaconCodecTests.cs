using Google.Protobuf;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Tests.Lighthouse;

public sealed class BeaconCodecTests
{
    private static readonly byte[] KnownDatagram = Convert.FromHexString(
        "4f524c4801" + "0a0161" + "1220" + string.Concat(Enumerable.Repeat("11", 32)) + "1a0767656e6572616c"
        + "20d836" + "290100000000000000" + "3002" + "381e" + "4001");

    private static Beacon Known() => new()
    {
        NodeId = "a",
        Fingerprint = ByteString.CopyFrom(Enumerable.Repeat((byte)0x11, 32).ToArray()),
        Sector = "general",
        TcpPort = 7000,
        Instance = 1,
        Seq = 2,
        IntervalS = 30,
        Solicit = true,
    };

    [Fact]
    public void Encode_KnownBeacon_WritesHeaderThenFieldsInOrder()
    {
        BeaconCodec.Encode(Known()).Should().Equal(KnownDatagram);
    }

    [Fact]
    public void TryParse_KnownDatagram_ReturnsBeacon()
    {
        BeaconCodec.TryParse(KnownDatagram, out var beacon, out var rejection).Should().BeTrue();
        rejection.Should().Be(BeaconRejection.None);
        beacon.Should().Be(Known());
    }

    [Fact]
    public void RoundTrip_AllFields_Survive()
    {
        var b = Beacons.Make(fp: 7, nodeId: "Alice.laptop-1", sector: "lab_2", port: 65535, instance: ulong.MaxValue,
            interval: 3600, solicit: true, goodbye: true, seq: 42);
        b.SentAtMs = 1_700_000_000_000;
        BeaconCodec.Parse(BeaconCodec.Encode(b)).Should().Be(b);
    }

    [Fact]
    public void TryParse_UnknownField_IsIgnored()
    {
        var datagram = KnownDatagram.Concat(new byte[] { 0x7a, 0x02, 0xde, 0xad }).ToArray();
        BeaconCodec.TryParse(datagram, out var beacon, out _).Should().BeTrue();
        beacon!.NodeId.Should().Be("a");
    }

    [Fact]
    public void TryParse_ExactlyMaxSize_IsAccepted_OneMoreIsTooLarge()
    {
        BeaconCodec.TryParse(Pad(KnownDatagram, 1200), out _, out var ok).Should().BeTrue(ok.ToString());
        Reject(Pad(KnownDatagram, 1201)).Should().Be(BeaconRejection.TooLarge);
    }

    [Fact]
    public void TryParse_Oversize_IsRejectedBeforeParsing()
    {
        var junk = new byte[5000];
        Reject(junk).Should().Be(BeaconRejection.TooLarge);
    }

    [Fact]
    public void TryParse_LowerMaxDatagram_IsHonoured()
    {
        BeaconCodec.TryParse(KnownDatagram, KnownDatagram.Length - 1, out _, out var r).Should().BeFalse();
        r.Should().Be(BeaconRejection.TooLarge);
    }

    [Theory]
    [InlineData("")]
    [InlineData("4f")]
    [InlineData("4f524c48")]
    public void TryParse_ShorterThanHeader_IsTruncated(string hex)
    {
        Reject(Convert.FromHexString(hex)).Should().Be(BeaconRejection.Truncated);
    }

    [Theory]
    [InlineData(0, (byte)'X')]
    [InlineData(3, (byte)'h')]
    public void TryParse_WrongMagic_IsBadMagic(int index, byte value)
    {
        var d = (byte[])KnownDatagram.Clone();
        d[index] = value;
        Reject(d).Should().Be(BeaconRejection.BadMagic);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(255)]
    public void TryParse_WrongVersion_IsBadVersion(byte version)
    {
        var d = (byte[])KnownDatagram.Clone();
        d[4] = version;
        Reject(d).Should().Be(BeaconRejection.BadVersion);
    }

    [Fact]
    public void TryParse_BodyCutInsideAField_IsMalformed()
    {
        Reject(KnownDatagram[..20]).Should().Be(BeaconRejection.Malformed);
    }

    [Theory]
    [InlineData("ff")]
    [InlineData("0aff")]
    [InlineData("0f00")]
    public void TryParse_GarbageBody_IsMalformed(string bodyHex)
    {
        Reject([.. "ORLH"u8, 1, .. Convert.FromHexString(bodyHex)]).Should().Be(BeaconRejection.Malformed);
    }

    [Fact]
    public void TryParse_HeaderOnly_FailsFieldChecks()
    {
        Reject([.. "ORLH"u8, 1]).Should().Be(BeaconRejection.BadFingerprint);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void TryParse_FingerprintNot32Bytes_IsBadFingerprint(int length)
    {
        var b = Known();
        b.Fingerprint = ByteString.CopyFrom(new byte[length]);
        Reject(BeaconCodec.Encode(b)).Should().Be(BeaconRejection.BadFingerprint);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(65536u)]
    [InlineData(uint.MaxValue)]
    public void TryParse_PortOutOfRange_IsBadPort(uint port)
    {
        var b = Known();
        b.TcpPort = port;
        Reject(BeaconCodec.Encode(b)).Should().Be(BeaconRejection.BadPort);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-lead")]
    [InlineData("has space")]
    [InlineData("ünïcode")]
    [InlineData("a1234567890123456789012345678901234567890123456789012345678901234")]
    public void TryParse_InvalidNodeId_IsBadNodeId(string nodeId)
    {
        var b = Known();
        b.NodeId = nodeId;
        Reject(BeaconCodec.Encode(b)).Should().Be(BeaconRejection.BadNodeId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("General")]
    [InlineData("a.b")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    public void TryParse_InvalidSector_IsBadSector(string sector)
    {
        var b = Known();
        b.Sector = sector;
        Reject(BeaconCodec.Encode(b)).Should().Be(BeaconRejection.BadSector);
    }

    [Fact]
    public void TryParse_InvalidUtf8NodeId_IsRejected()
    {
        // "0a02fffe" replaces node_id "a" with two invalid UTF-8 bytes; a decoder may throw or substitute U+FFFD.
        var d = Convert.FromHexString("4f524c48010a02fffe" + Convert.ToHexString(KnownDatagram[8..]));
        Reject(d).Should().BeOneOf(BeaconRejection.Malformed, BeaconRejection.BadNodeId);
    }

    [Theory]
    [InlineData(0u, false)]
    [InlineData(1u, true)]
    [InlineData(3600u, true)]
    [InlineData(3601u, false)]
    public void TryParse_IntervalMustBe1To3600(uint interval, bool accepted)
    {
        var b = Known();
        b.IntervalS = interval;
        BeaconCodec.TryParse(BeaconCodec.Encode(b), out _, out var r).Should().Be(accepted);
        r.Should().Be(accepted ? BeaconRejection.None : BeaconRejection.BadInterval);
    }

    [Fact]
    public void Parse_Rejected_ThrowsProtocolViolation()
    {
        var act = () => BeaconCodec.Parse("XXXX\u0001"u8);
        act.Should().Throw<ProtocolViolationException>().WithMessage("*BadMagic*");
    }

    private static BeaconRejection Reject(byte[] datagram)
    {
        BeaconCodec.TryParse(datagram, out var beacon, out var rejection).Should().BeFalse();
        beacon.Should().BeNull();
        return rejection;
    }

    /// <summary>Appends an unknown length-delimited field (number 15) so the datagram is exactly <paramref name="total"/> bytes.</summary>
    private static byte[] Pad(byte[] datagram, int total)
    {
        var n = total - datagram.Length - 3;
        return [.. datagram, 0x7a, (byte)(0x80 | (n & 0x7f)), (byte)(n >> 7), .. new byte[n]];
    }
}
