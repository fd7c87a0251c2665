using System.Buffers.Binary;
using OpenRed.Core.Tests.Support;
using OpenRed.Core.Wire;
using OpenRed.Core.Wire.Internal;

namespace OpenRed.Core.Tests.Wire;

public sealed class FrameReaderTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private long _now = 1000;

    [Fact]
    public async Task ReadAsync_SeveralFramesInOneWrite_EachInTurnThenCleanEnd()
    {
        var bytes = Frame(20, 1).Concat(Frame(300, 2)).Concat(Frame(17, 3)).ToArray();
        using var reader = Reader(new MemoryStream(bytes));

        (await reader.ReadAsync(CancellationToken.None)).ToArray().Should().Equal(Body(20, 1));
        (await reader.ReadAsync(CancellationToken.None)).ToArray().Should().Equal(Body(300, 2));
        (await reader.ReadAsync(CancellationToken.None)).ToArray().Should().Equal(Body(17, 3));
        (await reader.ReadAsync(CancellationToken.None)).IsEmpty.Should().BeTrue();
        reader.PartialSinceTicks.Should().Be(0);
    }

    [Fact]
    public async Task ReadAsync_LargeFramesInSmallPieces_Reassembled()
    {
        var (a, b) = DuplexPipe.Create();
        await using var _a = a;
        await using var _b = b;
        using var reader = Reader(b);
        var frames = new[] { WireLimits.TransportFrameMax, 200_000, 17, 70_000 };
        var writing = Task.Run(async () =>
        {
            var all = frames.SelectMany((n, i) => Frame(n, (byte)i)).ToArray();
            for (var at = 0; at < all.Length; at += 7777)
            {
                await a.WriteAsync(all.AsMemory(at, Math.Min(7777, all.Length - at)));
            }

            await a.FlushAsync();
        });

        for (var i = 0; i < frames.Length; i++)
        {
            var body = await reader.ReadAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
            body.Length.Should().Be(frames[i]);
            body.Span.IndexOfAnyExcept((byte)i).Should().Be(-1);
        }

        await writing.WaitAsync(Wait);
    }

    [Fact]
    public async Task ReadAsync_PartialFrame_ClockStartsAtItsFirstByte()
    {
        var (a, b) = DuplexPipe.Create();
        await using var _a = a;
        await using var _b = b;
        using var reader = Reader(b);
        var frame = Frame(100, 9);

        var reading = reader.ReadAsync(CancellationToken.None).AsTask();
        reader.PartialSinceTicks.Should().Be(0, "nothing has arrived");
        await a.WriteAsync(frame.AsMemory(0, 10));
        await a.FlushAsync();
        await Eventually(() => reader.PartialLength == 100);
        reader.PartialSinceTicks.Should().Be(1000);

        _now = 5000;
        await a.WriteAsync(frame.AsMemory(10));
        await a.FlushAsync();
        (await reading.WaitAsync(Wait)).Length.Should().Be(100);
        reader.PartialSinceTicks.Should().Be(0);
        reader.PartialLength.Should().Be(-1);
    }

    [Fact]
    public async Task ReadAsync_NextFrameBegunWithTheLast_ClockStartsWhenTheReaderComesBack()
    {
        var (a, b) = DuplexPipe.Create();
        await using var _a = a;
        await using var _b = b;
        using var reader = Reader(b);
        var second = Frame(100, 2);
        await a.WriteAsync(Frame(20, 1).Concat(second[..30]).ToArray());
        await a.FlushAsync();

        (await reader.ReadAsync(CancellationToken.None).AsTask().WaitAsync(Wait)).Length.Should().Be(20);

        // Our own handler may take its time with the first frame: that is not the peer being slow.
        _now = 7000;
        reader.PartialSinceTicks.Should().Be(0);
        var reading = reader.ReadAsync(CancellationToken.None).AsTask();
        reader.PartialSinceTicks.Should().Be(7000);
        await a.WriteAsync(second.AsMemory(30));
        await a.FlushAsync();
        (await reading.WaitAsync(Wait)).Length.Should().Be(100);
    }

    [Theory]
    [InlineData(16u)]
    [InlineData((uint)WireLimits.TransportFrameMax + 1)]
    public async Task ReadAsync_LengthOutOfBounds_Violation(uint length)
    {
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, length);
        using var reader = Reader(new MemoryStream(bytes));

        await FluentActions.Awaiting(() => reader.ReadAsync(CancellationToken.None).AsTask())
            .Should().ThrowAsync<ProtocolViolationException>().WithMessage("*outside*");
    }

    [Theory]
    [InlineData(2, "*frame length*")]
    [InlineData(30, "*inside a frame*")]
    public async Task ReadAsync_StreamEndsInsideAFrame_Violation(int keep, string message)
    {
        using var reader = Reader(new MemoryStream(Frame(100, 1)[..keep]));

        await FluentActions.Awaiting(() => reader.ReadAsync(CancellationToken.None).AsTask())
            .Should().ThrowAsync<ProtocolViolationException>().WithMessage(message);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Wait;
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(until);
            await Task.Delay(5);
        }
    }

    private FrameReader Reader(Stream stream) =>
        new(stream, WireLimits.TransportFrameMin, WireLimits.TransportFrameMax, () => _now);

    private static byte[] Body(int length, byte fill) => Enumerable.Repeat(fill, length).ToArray();

    private static byte[] Frame(int length, byte fill)
    {
        var frame = new byte[WireLimits.LengthPrefixBytes + length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)length);
        frame.AsSpan(WireLimits.LengthPrefixBytes).Fill(fill);
        return frame;
    }
}
