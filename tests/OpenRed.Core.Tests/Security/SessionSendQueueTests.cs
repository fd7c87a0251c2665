using System.Security.Cryptography;
using Google.Protobuf;
using OpenRed.Core.Security;
using OpenRed.Core.Tests.Support;
using OpenRed.Core.Wire.Proto;
using static OpenRed.Core.Tests.Security.SessionTestKit;

namespace OpenRed.Core.Tests.Security;

/// <summary>Bulk frames through pooled buffers, and the send queue's byte bound.</summary>
public sealed class SessionSendQueueTests
{
    [Fact]
    public async Task Send_BulkFramesOneAtATime_ArriveIntactAndInOrder()
    {
        var received = new List<ChunkData>();
        var allIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const int Count = 24;
        var options = SessionOptions.Default with { SendQueueBytes = 1 };
        var (i, r) = StartPair(responderHandler: (_, envelope, _) =>
        {
            if (envelope.BodyCase == Envelope.BodyOneofCase.ChunkData)
            {
                received.Add(envelope.ChunkData);
                if (received.Count == Count)
                {
                    allIn.TrySetResult();
                }
            }

            return ValueTask.CompletedTask;
        }, options: options);

        // Sizes up to the frame limit, so buffers of several pool sizes are reused across frames.
        var sent = Enumerable.Range(0, Count)
            .Select(n => new ChunkData { Index = (uint)n, Data = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(((n % 4) + 1) * 250_000)) })
            .ToList();
        foreach (var chunk in sent)
        {
            await i.SendAsync(new Envelope { ChunkData = chunk }, CancellationToken.None).AsTask().WaitAsync(Wait);
        }

        await allIn.Task.WaitAsync(Wait);
        received.Should().Equal(sent);
        await CloseBoth(i, r);
        i.BytesOut.Should().Be(r.BytesIn);
        r.BytesOut.Should().Be(i.BytesIn);
    }

    [Fact]
    public async Task Send_ByteBoundReached_SenderWaitsUntilThePeerReads()
    {
        var (a, b) = DuplexPipe.Create();
        var keys = NewKeyBytes();
        var chunk = new Envelope { ChunkData = new ChunkData { Data = ByteString.CopyFrom(new byte[256 * 1024]) } };
        var frame = 4 + chunk.CalculateSize() + 16;
        // Room for two frames: the one the send loop holds (the in-memory pipe takes only 64 KiB) and one queued.
        var options = SessionOptions.Default with { SendQueueBytes = (2 * frame) + 100 };
        await using var r = StartOne(a, keys, isInitiator: false, options: options);

        await r.SendAsync(chunk, CancellationToken.None).AsTask().WaitAsync(Wait);
        await r.SendAsync(chunk, CancellationToken.None).AsTask().WaitAsync(Wait);
        var third = r.SendAsync(chunk, CancellationToken.None).AsTask();
        third.IsCompleted.Should().BeFalse("the queue holds two frames' worth of bytes, far below its 256-frame count");

        using var peer = new RawPeer(b, keys.I2R, keys.R2I);
        (await peer.ReceiveAsync())!.BodyCase.Should().Be(Envelope.BodyOneofCase.Ping);
        for (var n = 0; n < 3; n++)
        {
            (await peer.ReceiveAsync())!.ChunkData.Data.Length.Should().Be(256 * 1024);
        }

        await third.WaitAsync(Wait);
        r.IsOpen.Should().BeTrue();
    }

    [Fact]
    public void Start_SendQueueBytesBelowOne_IsRejected()
    {
        var (a, _) = DuplexPipe.Create();

        var act = () => StartOne(a, NewKeyBytes(), isInitiator: true, options: SessionOptions.Default with { SendQueueBytes = 0 });

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
