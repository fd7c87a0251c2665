using System.Buffers.Binary;
using Google.Protobuf;
using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Security;
using OpenRed.Core.Security.Internal;
using OpenRed.Core.Tests.Support;
using OpenRed.Core.Wire.Proto;
using static OpenRed.Core.Tests.Security.SessionTestKit;

namespace OpenRed.Core.Tests.Security;

/// <summary>Issue 14: the receive path with a read stage beside the decrypting loop, and the heartbeat shared by sessions.</summary>
public sealed class SessionOverlappedReceiveTests
{
    private static readonly SessionOptions Overlapped = SessionOptions.Default with { OverlapDecryption = true, ReadAheadFrames = 2 };

    [Fact]
    public async Task Overlapped_ChunkDataLargeAndSmallMixed_DeliveredIntactInOrder()
    {
        var (a, b) = DuplexPipe.Create();
        var keys = NewKeyBytes();
        var got = new List<ChunkData>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int[] sizes = [10, 300_000, 40_000, 1, 70_000, SecureSession.OwnedPlaintextMin, 1_048_000, 5, 200_000, 3];
        await using var r = StartOne(b, keys, isInitiator: false, options: Overlapped, handler: (_, e, _) =>
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
    public async Task Overlapped_RequestsAndGoodbye_BehaveAsTheSingleLoop()
    {
        var (i, r) = StartPair(options: Overlapped);
        var answer = await i.RequestAsync(new Envelope { Ping = new Ping { TimeMs = 7 } }, CancellationToken.None).WaitAsync(Wait);
        answer.BodyCase.Should().Be(Envelope.BodyOneofCase.Pong);

        using var cts = new CancellationTokenSource(Wait);
        await i.CloseAsync("done here", cts.Token);
        await r.Completion.WaitAsync(Wait);

        r.CloseInfo!.Kind.Should().Be(SessionCloseKind.PeerGoodbye);
        r.CloseInfo.Reason.Should().Be("done here");
        await i.DisposeAsync();
        await r.DisposeAsync();
    }

    [Fact]
    public async Task Overlapped_TamperedFrame_ClosesAsViolation()
    {
        var (a, b) = DuplexPipe.Create();
        var keys = NewKeyBytes();
        await using var r = StartOne(b, keys, isInitiator: false, options: Overlapped);

        var frame = new byte[4 + 40];
        BinaryPrimitives.WriteUInt32BigEndian(frame, 40);
        await a.WriteAsync(frame);
        await a.FlushAsync();
        await r.Completion.WaitAsync(Wait);

        r.CloseInfo!.Kind.Should().Be(SessionCloseKind.Violation);
        a.Dispose();
    }

    [Fact]
    public async Task Overlapped_FrameBodyStopsHalfway_ClosedByTheHeartbeat()
    {
        var (a, b) = DuplexPipe.Create();
        var keys = NewKeyBytes();
        var options = Overlapped with
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
    public async Task Heartbeat_OneForEverySessionOnAClock_StopsWithTheLast()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var heartbeat = SessionHeartbeat.For(time, SessionOptions.Default.HousekeepingInterval);
        var (i, r) = StartPair(time: time);

        heartbeat.Count.Should().Be(2);
        SessionHeartbeat.For(time, SessionOptions.Default.HousekeepingInterval).Should().BeSameAs(heartbeat);

        // Both sessions are checked by the one heartbeat: after 15 s of silence each sends its liveness ping.
        await i.PingAsync(CancellationToken.None).WaitAsync(Wait);
        var before = (i.FramesOut, r.FramesOut);
        time.Advance(TimeSpan.FromSeconds(15));
        await WaitUntil(() => i.FramesOut > before.Item1 && r.FramesOut > before.Item2);

        await CloseBoth(i, r);
        await i.Completion.WaitAsync(Wait);
        await r.Completion.WaitAsync(Wait);
        heartbeat.Count.Should().Be(0);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var cts = new CancellationTokenSource(Wait);
        while (!condition())
        {
            await Task.Delay(5, cts.Token);
        }
    }
}
