using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Security;
using OpenRed.Core.Tests.Support;
using OpenRed.Core.Wire.Proto;
using static OpenRed.Core.Tests.Security.SessionTestKit;

namespace OpenRed.Core.Tests.Security;

public sealed class SessionLivenessTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Idle_SendsPingAfter15s_AndClosesAfter60sWithNothingReceived()
    {
        var time = new FakeTimeProvider(Start);
        var (a, b) = DuplexPipe.Create();
        var keys = NewKeyBytes();
        await using var i = StartOne(a, keys, isInitiator: true, time: time);
        using var peer = new RawPeer(b, keys.R2I, keys.I2R);

        time.Advance(TimeSpan.FromSeconds(15));
        var ping = await peer.ReceiveAsync();

        ping!.BodyCase.Should().Be(Envelope.BodyOneofCase.Ping);
        ping.Id.Should().NotBe(0);
        ping.Ping.TimeMs.Should().Be((ulong)Start.AddSeconds(15).ToUnixTimeMilliseconds());

        time.Advance(TimeSpan.FromSeconds(44));
        i.IsOpen.Should().BeTrue();
        time.Advance(TimeSpan.FromSeconds(1));
        await i.Completion.WaitAsync(Wait);

        i.CloseInfo!.Kind.Should().Be(SessionCloseKind.IdleTimeout);
        (i.CloseInfo.ClosedAt - i.StartedAt).Should().Be(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Idle_PairKeepsItselfAliveWithPings()
    {
        var time = new FakeTimeProvider(Start);
        var (i, r) = StartPair(time: time);
        await i.PingAsync(CancellationToken.None).WaitAsync(Wait);

        for (var n = 0; n < 12; n++)
        {
            var before = i.FramesIn;
            time.Advance(TimeSpan.FromSeconds(15));
            await WaitUntil(() => i.FramesIn > before && r.FramesIn > 0);
        }

        i.IsOpen.Should().BeTrue();
        r.IsOpen.Should().BeTrue();
        i.RoundTripTime.Should().NotBeNull();
        i.LastReceivedAt.Should().BeAfter(Start.AddSeconds(150));
        await CloseBoth(i, r);
    }

    [Fact]
    public async Task Rekey_AfterRekeyInterval_HappensWithoutTraffic()
    {
        var time = new FakeTimeProvider(Start);
        var options = SessionOptions.Default with { RekeyInterval = TimeSpan.FromSeconds(30) };
        var (i, r) = StartPair(time: time, options: options);
        await i.PingAsync(CancellationToken.None).WaitAsync(Wait);

        for (var n = 0; n < 10 && (i.RekeysSent == 0 || r.RekeysSent == 0); n++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            await i.PingAsync(CancellationToken.None).WaitAsync(Wait);
            await r.PingAsync(CancellationToken.None).WaitAsync(Wait);
        }

        i.RekeysSent.Should().BeGreaterThan(0);
        r.RekeysSent.Should().BeGreaterThan(0);
        r.RekeysReceived.Should().Be(i.RekeysSent);
        await CloseBoth(i, r);
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
