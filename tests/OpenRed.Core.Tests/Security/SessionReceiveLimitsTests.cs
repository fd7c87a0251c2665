using System.Buffers;
using System.Text;
using Google.Protobuf;
using OpenRed.Core.Security;
using OpenRed.Core.Tests.Support;
using OpenRed.Core.Wire.Proto;
using static OpenRed.Core.Tests.Security.SessionTestKit;

namespace OpenRed.Core.Tests.Security;

/// <summary>Issues 9.4, 9.5 and 11 at the session: what a peer sends is bounded on receipt, and leaves no plaintext behind.</summary>
public sealed class SessionReceiveLimitsTests
{
    [Fact]
    public async Task Goodbye_900KbReason_IsCutTo256BytesAtACharacterBoundary()
    {
        var (a, b) = DuplexPipe.Create();
        var keys = NewKeyBytes();
        await using var r = StartOne(b, keys, isInitiator: false);
        using var peer = new RawPeer(a, keys.I2R, keys.R2I);

        var reason = "\u001b[2J" + string.Concat(Enumerable.Repeat("é", 450_000));
        await peer.SendAsync(new Envelope { Goodbye = new Goodbye { Reason = reason } });
        await r.Completion.WaitAsync(Wait);

        r.CloseInfo!.Kind.Should().Be(SessionCloseKind.PeerGoodbye);
        var bytes = Encoding.UTF8.GetByteCount(r.CloseInfo.Reason);
        bytes.Should().BeLessThanOrEqualTo(256).And.BeGreaterThan(250);
        reason.Should().StartWith(r.CloseInfo.Reason);
    }

    [Fact]
    public async Task ErrorAnswer_LongMessage_IsCutTo256Bytes()
    {
        var (a, b) = DuplexPipe.Create();
        var keys = NewKeyBytes();
        await using var i = StartOne(a, keys, isInitiator: true);
        using var peer = new RawPeer(b, keys.R2I, keys.I2R);
        await peer.SendAsync(new Envelope { Id = 1, Ping = new Ping { TimeMs = 1 } });

        var asking = i.RequestAsync(Chat("x"), CancellationToken.None);
        Envelope? request;
        do
        {
            request = await peer.ReceiveAsync();
        }
        while (request!.BodyCase != Envelope.BodyOneofCase.ChatMessage);

        await peer.SendAsync(new Envelope { ReplyTo = request.Id, Error = new Error { Code = ErrorCode.Internal, Message = new string('m', 100_000) } });
        var answer = await asking.WaitAsync(Wait);

        answer.Error.Message.Should().Be(new string('m', 256));
    }

    [Theory]
    [InlineData(50, true)]
    [InlineData(51, false)]
    public async Task PeerExchange_OverFiftyEntries_ClosesAsViolation(int entries, bool staysOpen)
    {
        var (a, b) = DuplexPipe.Create();
        var keys = NewKeyBytes();
        var delivered = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var r = StartOne(b, keys, isInitiator: false, handler: (_, e, _) =>
        {
            delivered.TrySetResult(e.PeerExchange.Peers.Count);
            return ValueTask.CompletedTask;
        });
        using var peer = new RawPeer(a, keys.I2R, keys.R2I);

        var px = new PeerExchange();
        px.Peers.Add(Enumerable.Range(0, entries).Select(_ => new PeerInfo { Host = "10.0.0.1", Port = 7000 }));
        await peer.SendAsync(new Envelope { PeerExchange = px });

        if (staysOpen)
        {
            (await delivered.Task.WaitAsync(Wait)).Should().Be(entries);
            r.IsOpen.Should().BeTrue();
        }
        else
        {
            await r.Completion.WaitAsync(Wait);
            r.CloseInfo!.IsViolation.Should().BeTrue();
            r.CloseInfo.Reason.Should().Contain("PeerExchange");
            delivered.Task.IsCompleted.Should().BeFalse();
        }
    }

    [Fact]
    public async Task ReceivedFrames_GoBackToThePoolCleared()
    {
        var pool = new InspectingPool();
        var (a, b) = DuplexPipe.Create();
        var keys = NewKeyBytes();
        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var r = StartOne(b, keys, isInitiator: false, options: new SessionOptions { ReceiveBufferPool = pool }, handler: (_, e, _) =>
        {
            delivered.TrySetResult();
            return ValueTask.CompletedTask;
        });
        using var peer = new RawPeer(a, keys.I2R, keys.R2I);

        var secret = Enumerable.Repeat((byte)0x5A, 4096).ToArray();
        await peer.SendAsync(new Envelope { ChunkData = new ChunkData { Data = ByteString.CopyFrom(secret) } });
        await delivered.Task.WaitAsync(Wait);

        pool.Returned.Should().BeGreaterThan(0);
        pool.DirtyReturns.Should().Be(0, "decrypted plaintext must not reach the next renter of the buffer");
    }

    /// <summary>Checks every returned array: any non-zero byte left in it is a leak.</summary>
    private sealed class InspectingPool : ArrayPool<byte>
    {
        private int _returned;
        private int _dirty;

        public int Returned => Volatile.Read(ref _returned);

        public int DirtyReturns => Volatile.Read(ref _dirty);

        public override byte[] Rent(int minimumLength) => new byte[minimumLength];

        public override void Return(byte[] array, bool clearArray = false)
        {
            Interlocked.Increment(ref _returned);
            if (!clearArray && array.AsSpan().ContainsAnyExcept((byte)0))
            {
                Interlocked.Increment(ref _dirty);
            }
        }
    }
}
