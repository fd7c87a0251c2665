using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Lighthouse.Internal;

namespace OpenRed.Core.Tests.Lighthouse;

/// <summary>Issue 14.4: answers to solicits, 4 a second in total (burst 4), one pending answer serving every solicit before it.</summary>
public sealed class SolicitAnswerGateTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Defaults_AreFourASecondBurstFour()
    {
        var options = new LighthouseOptions();
        options.SolicitAnswerRate.Should().Be(4);
        options.SolicitAnswerBurst.Should().Be(4);
    }

    [Fact]
    public void TrySchedule_PendingAnswer_ServesEverySolicitBeforeIt()
    {
        var gate = new SolicitAnswerGate(new LighthouseOptions(), () => 0.5, _time);

        gate.TrySchedule().Should().Be(TimeSpan.FromMilliseconds(125));
        _time.Advance(TimeSpan.FromMilliseconds(60));
        gate.TrySchedule().Should().BeNull("the answer due at 125 ms serves this solicit too");
        _time.Advance(TimeSpan.FromMilliseconds(64));
        gate.TrySchedule().Should().BeNull("still before it goes out");
    }

    [Fact]
    public void TrySchedule_FourAnswersInABurst_ThenFourASecond()
    {
        var gate = new SolicitAnswerGate(new LighthouseOptions(), () => 0, _time);

        // With no random delay each answer goes out at once, so every solicit finds nothing pending.
        for (var i = 0; i < 4; i++)
        {
            gate.TrySchedule().Should().Be(TimeSpan.Zero, $"answer {i + 1} of the burst of 4");
        }

        gate.TrySchedule().Should().Be(TimeSpan.FromMilliseconds(250), "the bucket is empty: the next token is due in a quarter second");
        gate.TrySchedule().Should().BeNull("that deferred answer is pending");
        _time.Advance(TimeSpan.FromMilliseconds(250));
        gate.TrySchedule().Should().Be(TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public void TrySchedule_FloodOfSolicits_AtMostFourAnswersASecondAndNeverStarved()
    {
        var gate = new SolicitAnswerGate(new LighthouseOptions(), new Random(3).NextDouble, _time);
        var sendTimes = new List<DateTimeOffset>();
        for (var i = 0; i < 1000; i++)
        {
            if (gate.TrySchedule() is { } delay)
            {
                delay.Should().BeGreaterThanOrEqualTo(TimeSpan.Zero);
                sendTimes.Add(_time.GetUtcNow() + delay);
            }

            _time.Advance(TimeSpan.FromMilliseconds(10));
        }

        // Ten seconds of solicits: the burst, then four a second; every window of one second holds at most burst + rate.
        sendTimes.Count.Should().BeInRange(30, 44);
        foreach (var start in sendTimes)
        {
            sendTimes.Count(t => t >= start && t < start + TimeSpan.FromSeconds(1)).Should().BeLessThanOrEqualTo(8);
        }

        foreach (var start in sendTimes)
        {
            sendTimes.Count(t => t >= start && t < start + TimeSpan.FromSeconds(5)).Should().BeLessThanOrEqualTo(24, "burst 4 + 5 s at 4 a second");
        }
    }

    [Fact]
    public void TrySchedule_QuietPeriod_RefillsTheBurst()
    {
        var gate = new SolicitAnswerGate(new LighthouseOptions(), () => 0, _time);
        for (var i = 0; i < 4; i++)
        {
            gate.TrySchedule();
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 4; i++)
        {
            gate.TrySchedule().Should().Be(TimeSpan.Zero);
        }
    }

    [Fact]
    public void Options_BadRateOrBurst_AreRefused()
    {
        new LighthouseOptions { SolicitAnswerRate = 0 }.Invoking(o => o.Validate()).Should().Throw<ArgumentException>();
        new LighthouseOptions { SolicitAnswerBurst = 0.5 }.Invoking(o => o.Validate()).Should().Throw<ArgumentException>();
    }
}
