using Google.Protobuf;
using OpenRed.Core.Security;
using OpenRed.Core.Tests.Support;
using OpenRed.Core.Wire.Proto;
using static OpenRed.Core.Tests.Security.SessionTestKit;

namespace OpenRed.Core.Tests.Security;

public sealed class SessionRequestTests
{
    [Fact]
    public async Task Ping_RoundTrip_YieldsRoundTripTime()
    {
        var (i, r) = StartPair();

        var rtt = await i.PingAsync(CancellationToken.None).WaitAsync(Wait);
        var back = await r.PingAsync(CancellationToken.None).WaitAsync(Wait);

        rtt.Should().BeGreaterThanOrEqualTo(TimeSpan.Zero);
        back.Should().BeGreaterThanOrEqualTo(TimeSpan.Zero);
        i.RoundTripTime.Should().NotBeNull();
        r.RoundTripTime.Should().NotBeNull();
        i.Confirmed.IsCompletedSuccessfully.Should().BeTrue();
        i.BytesIn.Should().BeGreaterThan(0);
        i.BytesOut.Should().BeGreaterThan(0);
        await CloseBoth(i, r);
    }

    [Fact]
    public async Task Request_ManyConcurrent_EachGetsItsOwnAnswer()
    {
        SessionRequestHandler slowAnswer = async (s, e, cancellationToken) =>
        {
            await Task.Delay(Random.Shared.Next(0, 5), cancellationToken);
            await AnswerAll(s, e, cancellationToken);
        };
        var (i, r) = StartPair(responderHandler: slowAnswer, initiatorHandler: slowAnswer);

        var fromI = Enumerable.Range(0, 60).Select(n => (Id: $"i{n}", Task: i.RequestAsync(Chat($"i{n}"), CancellationToken.None))).ToList();
        var fromR = Enumerable.Range(0, 60).Select(n => (Id: $"r{n}", Task: r.RequestAsync(Chat($"r{n}"), CancellationToken.None))).ToList();
        await Task.WhenAll(fromI.Concat(fromR).Select(x => x.Task)).WaitAsync(Wait);

        foreach (var (id, task) in fromI.Concat(fromR))
        {
            var answer = await task;
            answer.BodyCase.Should().Be(Envelope.BodyOneofCase.ChatReceipt);
            answer.ChatReceipt.MessageId.ToStringUtf8().Should().Be(id);
        }

        await CloseBoth(i, r);
    }

    [Fact]
    public async Task Request_IdsStartAtOneAndAreNotReused()
    {
        var seen = new System.Collections.Concurrent.ConcurrentBag<ulong>();
        var (i, r) = StartPair(responderHandler: (s, e, cancellationToken) =>
        {
            seen.Add(e.Id);
            return AnswerAll(s, e, cancellationToken);
        });

        for (var n = 0; n < 5; n++)
        {
            await i.RequestAsync(Chat($"{n}"), CancellationToken.None).WaitAsync(Wait);
        }

        seen.Order().Should().Equal(1UL, 2UL, 3UL, 4UL, 5UL);
        await CloseBoth(i, r);
    }

    [Fact]
    public async Task Request_NoAnswer_TimesOut()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(55));
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (i, r) = StartPair(time: time, responderHandler: async (s, e, cancellationToken) =>
        {
            received.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        });

        var request = i.RequestAsync(Chat("x"), CancellationToken.None);
        await received.Task.WaitAsync(Wait);
        time.Advance(TimeSpan.FromSeconds(29));
        request.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromSeconds(1));

        await FluentActions.Awaiting(() => request.WaitAsync(Wait)).Should().ThrowAsync<TimeoutException>();
        i.IsOpen.Should().BeTrue();
        await CloseBoth(i, r);
    }

    [Fact]
    public async Task Request_SessionCloses_FailsWithSessionClosed()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (i, r) = StartPair(responderHandler: async (s, e, cancellationToken) =>
        {
            received.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        });

        var request = i.RequestAsync(Chat("x"), CancellationToken.None);
        await received.Task.WaitAsync(Wait);
        await r.CloseAsync("going away", CancellationToken.None).WaitAsync(Wait);

        await FluentActions.Awaiting(() => request.WaitAsync(Wait)).Should().ThrowAsync<SessionClosedException>();
        await i.Completion.WaitAsync(Wait);
        await FluentActions.Awaiting(() => i.RequestAsync(Chat("y"), CancellationToken.None).WaitAsync(Wait))
            .Should().ThrowAsync<SessionClosedException>();
    }

    [Fact]
    public async Task Request_UnknownBody_GetsUnsupported_AndUnknownNotificationIsIgnored()
    {
        var (a, b) = DuplexPipe.Create();
        var keys = NewKeyBytes();
        var handled = 0;
        await using var r = StartOne(b, keys, isInitiator: false, handler: (s, e, cancellationToken) =>
        {
            Interlocked.Increment(ref handled);
            return ValueTask.CompletedTask;
        });
        using var peer = new RawPeer(a, keys.I2R, keys.R2I);

        var first = await peer.ReceiveAsync();
        first!.BodyCase.Should().Be(Envelope.BodyOneofCase.Ping);
        first.Id.Should().Be(1);

        // id = 5, then field 99 (a body from a future version) as an empty length-delimited field.
        await peer.SendPlaintextAsync([0x08, 0x05, 0x9A, 0x06, 0x00]);
        var answer = await peer.ReceiveAsync();
        answer!.ReplyTo.Should().Be(5);
        answer.Error.Code.Should().Be(ErrorCode.Unsupported);

        await peer.SendPlaintextAsync([0x9A, 0x06, 0x00]);
        await peer.SendAsync(new Envelope { Id = 6, Ping = new Ping { TimeMs = 42 } });
        var pong = await peer.ReceiveAsync();
        pong!.ReplyTo.Should().Be(6);
        pong.Pong.TimeMs.Should().Be(42);
        handled.Should().Be(0);
        r.IsOpen.Should().BeTrue();
    }

    [Fact]
    public async Task Request_BeyondPendingLimit_GetsRateLimited()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (i, r) = StartPair(responderHandler: async (s, e, cancellationToken) =>
        {
            await gate.Task.WaitAsync(cancellationToken);
            await AnswerAll(s, e, cancellationToken);
        });

        var requests = Enumerable.Range(0, 65).Select(n => i.RequestAsync(Chat($"{n}"), CancellationToken.None)).ToList();
        var first = await (await Task.WhenAny(requests).WaitAsync(Wait));
        first.Error.Code.Should().Be(ErrorCode.RateLimited);

        gate.SetResult();
        var answers = await Task.WhenAll(requests).WaitAsync(Wait);
        answers.Count(x => x.BodyCase == Envelope.BodyOneofCase.Error).Should().Be(1);
        answers.Count(x => x.BodyCase == Envelope.BodyOneofCase.ChatReceipt).Should().Be(64);

        // Slots are free again once answered.
        (await i.RequestAsync(Chat("after"), CancellationToken.None).WaitAsync(Wait)).BodyCase
            .Should().Be(Envelope.BodyOneofCase.ChatReceipt);
        await CloseBoth(i, r);
    }

    [Fact]
    public async Task Handler_Throws_PeerGetsInternal_AndSessionLives()
    {
        var (i, r) = StartPair(responderHandler: (s, e, cancellationToken) => throw new InvalidOperationException("bug"));

        var answer = await i.RequestAsync(Chat("x"), CancellationToken.None).WaitAsync(Wait);

        answer.Error.Code.Should().Be(ErrorCode.Internal);
        await i.PingAsync(CancellationToken.None).WaitAsync(Wait);
        r.IsOpen.Should().BeTrue();
        await CloseBoth(i, r);
    }

    [Fact]
    public async Task Handler_ReturnsWithoutAnswer_PeerGetsInternal()
    {
        var (i, r) = StartPair(responderHandler: (s, e, cancellationToken) => ValueTask.CompletedTask);

        var answer = await i.RequestAsync(Chat("x"), CancellationToken.None).WaitAsync(Wait);

        answer.Error.Code.Should().Be(ErrorCode.Internal);
        await CloseBoth(i, r);
    }

    [Fact]
    public async Task Notification_ReachesHandlerInOrder()
    {
        var got = new List<string>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (i, r) = StartPair(responderHandler: (s, e, cancellationToken) =>
        {
            e.Id.Should().Be(0);
            got.Add(e.ChatMessage.MessageId.ToStringUtf8());
            if (got.Count == 20)
            {
                all.TrySetResult();
            }

            return ValueTask.CompletedTask;
        });

        for (var n = 0; n < 20; n++)
        {
            await i.SendAsync(Chat($"{n}"), CancellationToken.None);
        }

        await all.Task.WaitAsync(Wait);
        got.Should().Equal(Enumerable.Range(0, 20).Select(n => $"{n}"));
        await CloseBoth(i, r);
    }

    [Fact]
    public async Task RequestMany_UrnQuery_YieldsEveryAnswerUntilDone()
    {
        var (i, r) = StartPair(responderHandler: async (s, e, cancellationToken) =>
        {
            for (var n = 0; n < 3; n++)
            {
                await s.ReplyPartialAsync(e, new Envelope { UrnFound = new UrnFound { QueryId = e.UrnQuery.QueryId } }, cancellationToken);
            }

            await s.ReplyAsync(e, new Envelope { UrnQueryDone = new UrnQueryDone { QueryId = e.UrnQuery.QueryId, Found = 3 } }, cancellationToken);
        });
        var query = new Envelope { UrnQuery = new UrnQuery { QueryId = ByteString.CopyFrom(1, 2, 3), Name = "x" } };

        var answers = new List<Envelope>();
        await foreach (var answer in i.RequestManyAsync(query, a => a.BodyCase != Envelope.BodyOneofCase.UrnFound, CancellationToken.None))
        {
            answers.Add(answer);
        }

        answers.Select(x => x.BodyCase).Should().Equal(
            Envelope.BodyOneofCase.UrnFound, Envelope.BodyOneofCase.UrnFound, Envelope.BodyOneofCase.UrnFound,
            Envelope.BodyOneofCase.UrnQueryDone);
        await CloseBoth(i, r);
    }

    [Fact]
    public async Task Initiator_SendsNoContentBeforeResponderFrameOpens()
    {
        var (a, b) = DuplexPipe.Create();
        var keys = NewKeyBytes();
        await using var i = StartOne(a, keys, isInitiator: true);
        using var peer = new RawPeer(b, keys.R2I, keys.I2R);

        var send = i.SendAsync(Chat("early"), CancellationToken.None).AsTask();
        send.IsCompleted.Should().BeFalse();
        i.Confirmed.IsCompleted.Should().BeFalse();

        await peer.SendAsync(new Envelope { Id = 1, Ping = new Ping { TimeMs = 7 } });
        await send.WaitAsync(Wait);
        var got = new[] { await peer.ReceiveAsync(), await peer.ReceiveAsync() };

        got.Select(x => x!.BodyCase).Should().BeEquivalentTo([Envelope.BodyOneofCase.Pong, Envelope.BodyOneofCase.ChatMessage]);
        i.Confirmed.IsCompletedSuccessfully.Should().BeTrue();
    }
}
