using Google.Protobuf;
using OpenRed.Core.Wire.Internal;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Tests.Wire;

public sealed class ChunkDataReaderTests
{
    public static TheoryData<ulong, ulong, int, int, uint> Shapes => new()
    {
        { 0, 0, 32, 100, 0 },
        { 7, 0, 32, 70000, 3 },
        { 0, 9, 0, 1, uint.MaxValue },
        { ulong.MaxValue, 1, 32, 0, 1 },
        { 1, 0, 0, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TryParse_PlainChunkData_SameAsProtobufAndDataNotCopied(ulong id, ulong replyTo, int rootLength, int dataLength, uint index)
    {
        var data = Enumerable.Range(0, dataLength).Select(i => (byte)(i * 7)).ToArray();
        var envelope = new Envelope
        {
            Id = id,
            ReplyTo = replyTo,
            ChunkData = new ChunkData { Root = ByteString.CopyFrom(new byte[rootLength]), Index = index, Data = ByteString.CopyFrom(data) },
        };
        var bytes = envelope.ToByteArray();

        ChunkDataReader.TryParse(bytes, 0, bytes.Length, out var parsed).Should().BeTrue();

        parsed.Should().Be(Envelope.Parser.ParseFrom(bytes));
        if (dataLength > 0)
        {
            System.Runtime.InteropServices.MemoryMarshal.TryGetArray(parsed!.ChunkData.Data.Memory, out var segment).Should().BeTrue();
            segment.Array.Should().BeSameAs(bytes, "the data stays in the decrypted frame");
        }
    }

    [Fact]
    public void TryParse_OtherBodyOrExtraField_FallsBack()
    {
        var ping = new Envelope { Id = 1, Ping = new Ping { TimeMs = 5 } }.ToByteArray();
        ChunkDataReader.TryParse(ping, 0, ping.Length, out _).Should().BeFalse();

        // An unknown field inside ChunkData: only the ordinary parser keeps it.
        var chunk = new ChunkData { Index = 1, Data = ByteString.CopyFrom([1, 2, 3]) }.ToByteArray().Concat(new byte[] { 0x20, 0x01 }).ToArray();
        var withUnknown = new Envelope { ChunkData = ChunkData.Parser.ParseFrom(chunk) }.ToByteArray();
        ChunkDataReader.TryParse(withUnknown, 0, withUnknown.Length, out _).Should().BeFalse();

        // The same field twice (protobuf merges them): left to the ordinary parser.
        var once = new Envelope { ChunkData = new ChunkData { Index = 1 } }.ToByteArray();
        var twice = once.Concat(once).ToArray();
        ChunkDataReader.TryParse(twice, 0, twice.Length, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData(new byte[] { 0x92, 0x02, 0x05, 0x1a, 0x09 })]
    [InlineData(new byte[] { 0x92, 0x02, 0x7f })]
    [InlineData(new byte[] { 0x92 })]
    [InlineData(new byte[] { 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff })]
    public void TryParse_Truncated_FallsBackWithoutThrowing(byte[] bytes)
    {
        ChunkDataReader.TryParse(bytes, 0, bytes.Length, out var parsed).Should().BeFalse();
        parsed.Should().BeNull();
    }
}
