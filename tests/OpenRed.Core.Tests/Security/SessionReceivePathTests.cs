using System.Buffers.Binary;
using Google.Protobuf;
using OpenRed.Core.Security;
using OpenRed.Core.Tests.Support;
using OpenRed.Core.Wire.Proto;
using static OpenRed.Core.Tests.Security.SessionTestKit;

namespace OpenRed.Core.Tests.Security;

/// <summary>Issue 14 at the session: frames read from one buffer, large ChunkData kept without a copy, deadlines on the heartbeat.</summary>
public sealed class SessionReceivePathTests
{
    [Fact]
    public async Task ChunkData_LargeAndSmallMixed_DeliveredIntactInOrder()
    {
        var (a, b) = DuplexPipe.Create();
        var keys = NewKeyBytes();
        var got = new List<ChunkData>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int[] sizes = [10, 300_000, 40_000, 1, SecureSession.OwnedPlaintextMin, 1_048_000, 5];
        await using var r = StartOne(b, keys, isInitiator: false, handler: (_, e, _) =>
        {
            got.Add(e.ChunkData);
            if (got.Count == sizes.Length)
            {
                all.TrySetResult();
            }

            return ValueTask.CompletedTask;
        });
        using var peer = new RawPeer(a, keys.I2R, keys.R2I);

        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < sizes.Length; i++)
            {
                var data = Enumerable.Range(0, sizes[i]).Select(n => (byte)(n + i)).ToArray();
                await peer.SendAsync(new Envelope { ChunkData = new ChunkData { Index = (uint)i, Data = ByteString.CopyFrom(data) } });
            }
        });
        await all.Task.WaitAsync(Wait);
        await sending.WaitAsync(Wait);

        got.Select(c => (int)c.Index).Should().Equal(Enumerable.Range(0, sizes.Length));
        for (var i = 0; i < sizes.Length; i++)
        {
            got[i].Data.ToByteArray().Should().Equal(Enumerable.Range(0, sizes[i]).Select(n => (byte)(n + i)), $"chunk {i}");
        }

        r.IsOpen.Should().BeTrue();
    }

    [Fact]
    public async Task FrameBody_StopsHalfway_SessionClosesAsViolationByTheHeartbeat()
    {
        var (a, b) = DuplexPipe.Create();
        var keys = NewKeyBytes();
        var options = SessionOptions.Default with
        {
            FrameBodyTimeout = TimeSpan.FromMilliseconds(300),
            HousekeepingInterval = TimeSpan.FromMilliseconds(50),
        };
        await using var r = StartOne(b, keys, isInitiator: false, options: options);

        var prefix = new byte[4 + 100];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, 5000);
        await a.WriteAsync(prefix);
        await a.FlushAsync();
        await r.Completion.WaitAsync(Wait);

        r.CloseInfo!.Kind.Should().Be(SessionCloseKind.Violation);
        r.CloseInfo.Reason.Should().Contain("frame body of 5000 bytes did not arrive within 0.3 s");
        a.Dispose();
    }

    [Fact]
    public async Task Idle_NoPartialFrame_NoBodyDeadline()
    {
        var (a, b) = DuplexPipe.Create();
        var keys = NewKeyBytes();
        var options = SessionOptions.Default with
        {
            FrameBodyTimeout = TimeSpan.FromMilliseconds(100),
            HousekeepingInterval = TimeSpan.FromMilliseconds(20),
        };
        await using var r = StartOne(b, keys, isInitiator: false, options: options);
        using var peer = new RawPeer(a, keys.I2R, keys.R2I);
        await peer.SendAsync(new Envelope { Ping = new Ping { TimeMs = 1 } });

        // Several heartbeats with nothing in flight: the body deadline only runs while a frame is incomplete.
        await Task.Delay(400);
        r.IsOpen.Should().BeTrue();
    }
}
