using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Tests.Support;
using OpenRed.Core.Wire;

namespace OpenRed.Core.Tests.Wire;

public sealed class FrameIOTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan BodyTimeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(17)]
    [InlineData(1000)]
    [InlineData(1048592)]
    public async Task Read_LengthWithinBounds_ReturnsBody(int length)
    {
        var body = new byte[length];
        Random.Shared.NextBytes(body);
        using var stream = new MemoryStream(Frame(length, body));

        var read = await ReadTransportAsync(stream);

        read.Should().Equal(body);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(16u)]
    [InlineData(1048593u)]
    [InlineData(uint.MaxValue)]
    public async Task Read_LengthOutOfBounds_ThrowsWithoutReadingBody(uint length)
    {
        using var stream = new MemoryStream(Frame(length, new byte[64]));

        await FluentActions.Awaiting(() => ReadTransportAsync(stream)).Should().ThrowAsync<ProtocolViolationException>();

        stream.Position.Should().Be(4);
    }

    [Fact]
    public async Task Read_HandshakeBounds_AreApplied()
    {
        using var ok = new MemoryStream(Frame(1, [7]));
        using var tooBig = new MemoryStream(Frame(16385, new byte[16385]));

        (await FrameIO.ReadFrameAsync(ok, WireLimits.HandshakeFrameMin, WireLimits.HandshakeFrameMax, BodyTimeout, TimeProvider.System, CancellationToken.None))
            .Should().Equal(7);
        await FluentActions.Awaiting(() => FrameIO.ReadFrameAsync(tooBig, WireLimits.HandshakeFrameMin, WireLimits.HandshakeFrameMax, BodyTimeout, TimeProvider.System, CancellationToken.None))
            .Should().ThrowAsync<ProtocolViolationException>();
    }

    [Fact]
    public async Task Read_CleanEndOfStream_ReturnsNull()
    {
        using var stream = new MemoryStream([]);

        (await ReadTransportAsync(stream)).Should().BeNull();
    }

    [Fact]
    public async Task Read_EndInsideLength_Throws()
    {
        using var stream = new MemoryStream([0, 0]);

        await FluentActions.Awaiting(() => ReadTransportAsync(stream)).Should().ThrowAsync<ProtocolViolationException>();
    }

    [Fact]
    public async Task Read_EndInsideBody_Throws()
    {
        using var stream = new MemoryStream(Frame(100, new byte[40]));

        await FluentActions.Awaiting(() => ReadTransportAsync(stream)).Should().ThrowAsync<ProtocolViolationException>();
    }

    [Fact]
    public async Task Read_BodySlowerThanTimeout_Throws()
    {
        var time = new FakeTimeProvider();
        var (a, b) = DuplexPipe.Create();
        var bodyReadStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watched = new ReadWatchStream(b, bodyReadStarted);

        var read = FrameIO.ReadFrameAsync(watched, WireLimits.TransportFrameMin, WireLimits.TransportFrameMax, BodyTimeout, time, CancellationToken.None);
        await a.WriteAsync(Frame(100, new byte[10]));
        await bodyReadStarted.Task.WaitAsync(Wait);
        time.Advance(BodyTimeout - TimeSpan.FromSeconds(1));
        read.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromSeconds(1));

        await FluentActions.Awaiting(() => read.WaitAsync(Wait)).Should().ThrowAsync<ProtocolViolationException>()
            .WithMessage("*did not arrive*");
        a.Dispose();
    }

    [Fact]
    public async Task Read_BodyJustInTime_Succeeds()
    {
        var time = new FakeTimeProvider();
        var (a, b) = DuplexPipe.Create();
        var bodyReadStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watched = new ReadWatchStream(b, bodyReadStarted);
        var frame = Frame(100, new byte[100]);

        var read = FrameIO.ReadFrameAsync(watched, WireLimits.TransportFrameMin, WireLimits.TransportFrameMax, BodyTimeout, time, CancellationToken.None);
        await a.WriteAsync(frame.AsMemory(0, 50));
        await bodyReadStarted.Task.WaitAsync(Wait);
        time.Advance(BodyTimeout - TimeSpan.FromSeconds(1));
        await a.WriteAsync(frame.AsMemory(50));

        (await read.WaitAsync(Wait)).Should().HaveCount(100);
        a.Dispose();
    }

    [Fact]
    public async Task Read_CallerCancels_ThrowsCancellationNotViolation()
    {
        var (a, b) = DuplexPipe.Create();
        using var cts = new CancellationTokenSource();

        var read = FrameIO.ReadFrameAsync(b, WireLimits.TransportFrameMin, WireLimits.TransportFrameMax, BodyTimeout, TimeProvider.System, cts.Token);
        await cts.CancelAsync();

        await FluentActions.Awaiting(() => read.WaitAsync(Wait)).Should().ThrowAsync<OperationCanceledException>();
        a.Dispose();
        b.Dispose();
    }

    [Fact]
    public async Task Write_PrefixesBigEndianLength()
    {
        using var stream = new MemoryStream();

        await FrameIO.WriteFrameAsync(stream, new byte[] { 1, 2, 3 }, CancellationToken.None);

        stream.ToArray().Should().Equal(0, 0, 0, 3, 1, 2, 3);
    }

    [Theory]
    [InlineData(17)]
    [InlineData(1000)]
    [InlineData(1048592)]
    public async Task ReadPooled_LengthWithinBounds_ReturnsBodyInRentedArray(int length)
    {
        var body = new byte[length];
        Random.Shared.NextBytes(body);
        using var stream = new MemoryStream(Frame(length, body));
        var pool = new CountingPool();

        var read = await ReadPooledAsync(stream, pool);

        read.Offset.Should().Be(0);
        read.Count.Should().Be(length);
        read.AsSpan().ToArray().Should().Equal(body);
        pool.Rented.Should().ContainSingle().Which.Should().BeSameAs(read.Array);
    }

    [Theory]
    [InlineData(16u)]
    [InlineData(1048593u)]
    [InlineData(uint.MaxValue)]
    public async Task ReadPooled_LengthOutOfBounds_ThrowsBeforeRentingOrReadingBody(uint length)
    {
        using var stream = new MemoryStream(Frame(length, new byte[64]));
        var pool = new CountingPool();

        await FluentActions.Awaiting(() => ReadPooledAsync(stream, pool)).Should().ThrowAsync<ProtocolViolationException>();

        stream.Position.Should().Be(4);
        pool.Rented.Should().BeEmpty();
    }

    [Fact]
    public async Task ReadPooled_CleanEndOfStream_ReturnsNoArray()
    {
        using var stream = new MemoryStream([]);

        (await ReadPooledAsync(stream, new CountingPool())).Array.Should().BeNull();
    }

    [Fact]
    public async Task ReadPooled_EndInsideBody_Throws()
    {
        using var stream = new MemoryStream(Frame(100, new byte[40]));

        await FluentActions.Awaiting(() => ReadPooledAsync(stream, new CountingPool())).Should().ThrowAsync<ProtocolViolationException>();
    }

    [Fact]
    public async Task ReadPooled_BodySlowerThanTimeout_Throws()
    {
        var time = new FakeTimeProvider();
        var (a, b) = DuplexPipe.Create();
        var bodyReadStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watched = new ReadWatchStream(b, bodyReadStarted);

        var read = FrameIO.ReadPooledFrameAsync(
            watched, new CountingPool(), WireLimits.TransportFrameMin, WireLimits.TransportFrameMax, BodyTimeout, time, CancellationToken.None).AsTask();
        await a.WriteAsync(Frame(100, new byte[10]));
        await bodyReadStarted.Task.WaitAsync(Wait);
        time.Advance(BodyTimeout);

        await FluentActions.Awaiting(() => read.WaitAsync(Wait)).Should().ThrowAsync<ProtocolViolationException>()
            .WithMessage("*did not arrive*");
        a.Dispose();
    }

    [Fact]
    public async Task ReadPooled_FramesInARow_EachReadsItsOwnBody()
    {
        using var stream = new MemoryStream([.. Frame(20, Enumerable.Repeat((byte)1, 20).ToArray()), .. Frame(30, Enumerable.Repeat((byte)2, 30).ToArray())]);
        var pool = new CountingPool();

        var first = await ReadPooledAsync(stream, pool);
        var second = await ReadPooledAsync(stream, pool);

        first.AsSpan().ToArray().Should().Equal(Enumerable.Repeat((byte)1, 20));
        second.AsSpan().ToArray().Should().Equal(Enumerable.Repeat((byte)2, 30));
        (await ReadPooledAsync(stream, pool)).Array.Should().BeNull();
    }

    private static async Task<ArraySegment<byte>> ReadPooledAsync(Stream stream, ArrayPool<byte> pool) =>
        await FrameIO.ReadPooledFrameAsync(
            stream, pool, WireLimits.TransportFrameMin, WireLimits.TransportFrameMax, BodyTimeout, TimeProvider.System, CancellationToken.None);

    private static Task<byte[]?> ReadTransportAsync(Stream stream) =>
        FrameIO.ReadFrameAsync(stream, WireLimits.TransportFrameMin, WireLimits.TransportFrameMax, BodyTimeout, TimeProvider.System, CancellationToken.None);

    private static byte[] Frame(long length, byte[] body)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)length);
        body.CopyTo(frame, 4);
        return frame;
    }

    /// <summary>Hands out fresh arrays and remembers them, so a test sees what was rented.</summary>
    private sealed class CountingPool : ArrayPool<byte>
    {
        public List<byte[]> Rented { get; } = [];

        public override byte[] Rent(int minimumLength)
        {
            var array = new byte[minimumLength + 7];
            Rented.Add(array);
            return array;
        }

        public override void Return(byte[] array, bool clearArray = false)
        {
        }
    }

    /// <summary>Signals when a read starts after the 4 length bytes were consumed: the body deadline is then armed.</summary>
    private sealed class ReadWatchStream(Stream inner, TaskCompletionSource bodyReadStarted) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_read >= 4)
            {
                bodyReadStarted.TrySetResult();
            }

            var n = await inner.ReadAsync(buffer, cancellationToken);
            _read += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
