using Google.Protobuf;
using OpenRed.Core.Security;
using OpenRed.Core.Tests.Support;
using OpenRed.Core.Wire.Proto;
using static OpenRed.Core.Tests.Security.SessionTestKit;

namespace OpenRed.Core.Tests.Security;

public sealed class SessionCloseTests
{
    [Fact]
    public async Task Close_SendsGoodbye_PeerCompletesWithGoodbye()
    {
        var (i, r) = StartPair();
        var closedEvents = 0;
        var bothClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnClosed(SecureSession _)
        {
            if (Interlocked.Increment(ref closedEvents) == 2)
            {
                bothClosed.TrySetResult();
            }
        }

        i.Closed += OnClosed;
        r.Closed += OnClosed;
        await i.PingAsync(CancellationToken.None).WaitAsync(Wait);

        await i.CloseAsync("shutting down", CancellationToken.None).WaitAsync(Wait);
        await r.Completion.WaitAsync(Wait);

        i.CloseInfo!.Kind.Should().Be(SessionCloseKind.Local);
        r.CloseInfo!.ByPeerGoodbye.Should().BeTrue();
        r.CloseInfo.Reason.Should().Be("shutting down");
        r.CloseInfo.IsViolation.Should().BeFalse();
        // Closed is raised after Completion, so wait for the events themselves.
        await bothClosed.Task.WaitAsync(Wait);
        closedEvents.Should().Be(2);
        await i.CloseAsync("again", CancellationToken.None).WaitAsync(Wait);
        i.CloseInfo.Reason.Should().Be("shutting down");
    }

    [Fact]
    public async Task Close_AfterQueuedFrames_FlushesThemBeforeGoodbye()
    {
        var got = 0;
        var (i, r) = StartPair(responderHandler: (s, e, cancellationToken) =>
        {
            got++;
            return ValueTask.CompletedTask;
        });
        await i.Confirmed.WaitAsync(Wait);

        for (var n = 0; n < 50; n++)
        {
            await i.SendAsync(new Envelope { PeerExchange = new PeerExchange() }, CancellationToken.None);
        }

        await i.CloseAsync("done", CancellationToken.None).WaitAsync(Wait);
        await r.Completion.WaitAsync(Wait);

        got.Should().Be(50);
        r.CloseInfo!.ByPeerGoodbye.Should().BeTrue();
    }

    [Fact]
    public async Task SendQueue_PeerNeverReads_SendersBlockThenSessionCloses()
    {
        var (a, b) = DuplexPipe.Create();
        var options = SessionOptions.Default with { SendQueueCapacity = 4, SendTimeout = TimeSpan.FromMilliseconds(300) };
        await using var r = StartOne(a, NewKeyBytes(), isInitiator: false, options: options);
        var chunk = new Envelope { ChunkData = new ChunkData { Data = ByteString.CopyFrom(new byte[64 * 1024]) } };

        var accepted = 0;
        var act = async () =>
        {
            for (var n = 0; n < 10_000; n++)
            {
                await r.SendAsync(chunk, CancellationToken.None).AsTask().WaitAsync(Wait);
                accepted++;
            }
        };

        await act.Should().ThrowAsync<SessionClosedException>();
        await r.Completion.WaitAsync(Wait);

        // The queue (4) plus what the in-memory pipe (64 KiB) and the frame being written can hold.
        accepted.Should().BeLessThan(4 + 4);
        r.CloseInfo!.Kind.Should().Be(SessionCloseKind.SendStalled);
        b.Dispose();
    }

    [Fact]
    public async Task Close_Cancelled_ClosesAtOnceWithoutFlush()
    {
        var (a, b) = DuplexPipe.Create();
        var options = SessionOptions.Default with { SendQueueCapacity = 2 };
        var r = StartOne(a, NewKeyBytes(), isInitiator: false, options: options);
        var chunk = new Envelope { ChunkData = new ChunkData { Data = ByteString.CopyFrom(new byte[64 * 1024]) } };
        for (var n = 0; n < 3; n++)
        {
            await r.SendAsync(chunk, CancellationToken.None).AsTask().WaitAsync(Wait);
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await r.CloseAsync("bye", cts.Token).WaitAsync(Wait);

        r.IsOpen.Should().BeFalse();
        r.Completion.IsCompleted.Should().BeTrue();
        b.Dispose();
    }

    [Fact]
    public async Task Send_OversizedOrBodyless_Throws()
    {
        var (i, r) = StartPair();
        var huge = new Envelope { ChunkData = new ChunkData { Data = ByteString.CopyFrom(new byte[1024 * 1024]) } };

        await FluentActions.Awaiting(() => i.SendAsync(huge, CancellationToken.None).AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => i.SendAsync(new Envelope { Id = 3 }, CancellationToken.None).AsTask()).Should().ThrowAsync<ArgumentException>();
        await FluentActions.Awaiting(() => i.SendAsync(new Envelope { Rekey = new Rekey() }, CancellationToken.None).AsTask()).Should().ThrowAsync<ArgumentException>();
        i.IsOpen.Should().BeTrue();
        await CloseBoth(i, r);
    }

    [Fact]
    public async Task Close_FromOwnHandlerOrClosedEvent_DoesNotDeadlock()
    {
        var (i, r) = StartPair(responderHandler: async (s, e, cancellationToken) =>
        {
            await s.CloseAsync("handler decided", cancellationToken);
        });
        var closedEventDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        r.Closed += s =>
        {
            s.CloseAsync("again", CancellationToken.None).Wait(Wait);
            s.Completion.IsCompleted.Should().BeTrue();
            closedEventDone.TrySetResult();
        };

        await i.SendAsync(new Envelope { PeerExchange = new PeerExchange() }, CancellationToken.None);

        await r.Completion.WaitAsync(Wait);
        await closedEventDone.Task.WaitAsync(Wait);
        await i.Completion.WaitAsync(Wait);
        r.CloseInfo!.Reason.Should().Be("handler decided");
        i.CloseInfo!.ByPeerGoodbye.Should().BeTrue();
    }
}
