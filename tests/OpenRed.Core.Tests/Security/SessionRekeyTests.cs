using OpenRed.Core.Security;
using OpenRed.Core.Wire.Proto;
using static OpenRed.Core.Tests.Security.SessionTestKit;

namespace OpenRed.Core.Tests.Security;

public sealed class SessionRekeyTests
{
    [Fact]
    public async Task Rekey_BothDirections_TrafficContinues()
    {
        var (i, r) = StartPair();

        await i.RekeyAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
        (await i.RequestAsync(Chat("a"), CancellationToken.None).WaitAsync(Wait)).BodyCase.Should().Be(Envelope.BodyOneofCase.ChatReceipt);
        await r.RekeyAsync(CancellationToken.None).AsTask().WaitAsync(Wait);
        (await r.RequestAsync(Chat("b"), CancellationToken.None).WaitAsync(Wait)).BodyCase.Should().Be(Envelope.BodyOneofCase.ChatReceipt);

        i.RekeysSent.Should().Be(1);
        r.RekeysReceived.Should().Be(1);
        r.RekeysSent.Should().Be(1);
        i.RekeysReceived.Should().Be(1);
        await CloseBoth(i, r);
    }

    [Fact]
    public async Task Rekey_BothSidesAtOnceUnderLoad_TrafficContinues()
    {
        var (i, r) = StartPair();

        for (var round = 0; round < 3; round++)
        {
            var traffic = Enumerable.Range(0, 20)
                .SelectMany(n => new[] { i.RequestAsync(Chat($"i{round}.{n}"), CancellationToken.None), r.RequestAsync(Chat($"r{round}.{n}"), CancellationToken.None) })
                .ToList();
            await Task.WhenAll(i.RekeyAsync(CancellationToken.None).AsTask(), r.RekeyAsync(CancellationToken.None).AsTask()).WaitAsync(Wait);
            var answers = await Task.WhenAll(traffic).WaitAsync(Wait);
            answers.Should().OnlyContain(a => a.BodyCase == Envelope.BodyOneofCase.ChatReceipt);
        }

        await i.PingAsync(CancellationToken.None).WaitAsync(Wait);
        await r.PingAsync(CancellationToken.None).WaitAsync(Wait);
        i.RekeysSent.Should().Be(3);
        r.RekeysSent.Should().Be(3);
        i.RekeysReceived.Should().Be(3);
        r.RekeysReceived.Should().Be(3);
        i.IsOpen.Should().BeTrue();
        r.IsOpen.Should().BeTrue();
        await CloseBoth(i, r);
    }

    [Fact]
    public async Task Rekey_AfterFrameThreshold_HappensAutomatically()
    {
        var options = SessionOptions.Default with { RekeyAfterFrames = 4 };
        var count = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (i, r) = StartPair(options: options, responderHandler: (s, e, cancellationToken) =>
        {
            if (++count == 30)
            {
                all.TrySetResult();
            }

            return ValueTask.CompletedTask;
        });

        for (var n = 0; n < 30; n++)
        {
            await i.SendAsync(new Envelope { PeerExchange = new PeerExchange() }, CancellationToken.None);
        }

        await all.Task.WaitAsync(Wait);
        await i.PingAsync(CancellationToken.None).WaitAsync(Wait);

        // 3 frames of content per key at most, the 4th carries Rekey.
        i.RekeysSent.Should().BeGreaterThanOrEqualTo(30 / 3);
        r.RekeysReceived.Should().Be(i.RekeysSent);
        i.FramesOut.Should().BeLessThanOrEqualTo(4 * (i.RekeysSent + 1));
        await CloseBoth(i, r);
    }

    [Fact]
    public async Task Rekey_AfterByteThreshold_HappensAutomatically()
    {
        var options = SessionOptions.Default with { RekeyAfterBytes = 50 };
        var (i, r) = StartPair(options: options);

        for (var n = 0; n < 10; n++)
        {
            (await i.RequestAsync(Chat($"{n}"), CancellationToken.None).WaitAsync(Wait)).BodyCase.Should().Be(Envelope.BodyOneofCase.ChatReceipt);
        }

        i.RekeysSent.Should().BeGreaterThanOrEqualTo(3);
        r.RekeysReceived.Should().Be(i.RekeysSent);
        await CloseBoth(i, r);
    }
}
