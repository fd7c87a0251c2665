using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Lighthouse.Internal;

namespace OpenRed.Core.Tests.Lighthouse;

public sealed class SendScheduleTests
{
    [Fact]
    public void Schedule_Default_BurstAt0And2And6WithSolicit_ThenInterval()
    {
        var schedule = new BeaconSchedule(new LighthouseOptions(), () => 0.5);
        var offset = TimeSpan.Zero;
        var sends = new List<(TimeSpan At, bool Solicit)>();
        for (var i = 0; i < 5; i++)
        {
            var (delay, solicit) = schedule.Next();
            offset += delay;
            sends.Add((offset, solicit));
        }

        sends.Should().Equal(
            (TimeSpan.Zero, true), (TimeSpan.FromSeconds(2), true), (TimeSpan.FromSeconds(6), true),
            (TimeSpan.FromSeconds(36), false), (TimeSpan.FromSeconds(66), false));
    }

    [Fact]
    public void Schedule_IntervalShorterThanBurstGaps_SteadyBeaconsFillThem()
    {
        var schedule = new BeaconSchedule(new LighthouseOptions { Interval = TimeSpan.FromSeconds(1) }, () => 0.5);
        var offset = TimeSpan.Zero;
        var sends = new List<(TimeSpan At, bool Solicit)>();
        while (offset < TimeSpan.FromSeconds(8))
        {
            var (delay, solicit) = schedule.Next();
            offset += delay;
            sends.Add((offset, solicit));
        }

        sends.Where(s => s.Solicit).Select(s => s.At).Should().Equal(TimeSpan.Zero, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6));
        sends.Zip(sends.Skip(1), (a, b) => b.At - a.At).Should().OnlyContain(gap => gap <= TimeSpan.FromSeconds(1));
    }

    [Theory]
    [InlineData(0.0, 27.0)]
    [InlineData(0.999999, 33.0)]
    [InlineData(0.25, 28.5)]
    public void Schedule_SteadyInterval_HasTenPercentJitter(double random, double expectedSeconds)
    {
        var schedule = new BeaconSchedule(new LighthouseOptions(), () => random);
        for (var i = 0; i < 3; i++)
        {
            schedule.Next();
        }

        schedule.Next().Delay.TotalSeconds.Should().BeApproximately(expectedSeconds, 0.001);
    }

    [Fact]
    public void Schedule_RandomJitter_StaysWithinTenPercent()
    {
        var rng = new Random(1);
        var schedule = new BeaconSchedule(new LighthouseOptions { Interval = TimeSpan.FromSeconds(30) }, rng.NextDouble);
        for (var i = 0; i < 3; i++)
        {
            schedule.Next();
        }

        for (var i = 0; i < 1000; i++)
        {
            var (delay, solicit) = schedule.Next();
            solicit.Should().BeFalse();
            delay.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(27)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(33));
        }
    }

    [Fact]
    public void Schedule_NoBurst_FirstBeaconAtOnce()
    {
        var schedule = new BeaconSchedule(new LighthouseOptions { StartBurst = [] }, () => 0.5);
        schedule.Next().Should().Be((TimeSpan.Zero, false));
        schedule.Next().Should().Be((TimeSpan.FromSeconds(30), false));
    }

    [Fact]
    public void IntervalSeconds_RoundsUpAndClamps()
    {
        new LighthouseOptions().IntervalSeconds.Should().Be(30);
        new LighthouseOptions { Interval = TimeSpan.FromMilliseconds(200) }.IntervalSeconds.Should().Be(1);
        new LighthouseOptions { Interval = TimeSpan.FromSeconds(1.5) }.IntervalSeconds.Should().Be(2);
    }

    [Fact]
    public void AnswerGate_AtMostOnePerSecond_LateSolicitIsDeferredNotDropped()
    {
        var time = new FakeTimeProvider();
        // The first edition's rate (one a second); the current default is covered by SolicitAnswerGateTests.
        var gate = new SolicitAnswerGate(new LighthouseOptions { SolicitAnswerRate = 1, SolicitAnswerBurst = 1 }, () => 0.5, time);

        gate.TrySchedule().Should().Be(TimeSpan.FromMilliseconds(125));
        gate.TrySchedule().Should().BeNull("an answer is already pending");

        time.Advance(TimeSpan.FromMilliseconds(900));
        gate.TrySchedule().Should().Be(TimeSpan.FromMilliseconds(350), "deferred to a second after the last answer (125 ms), plus its own delay");
        gate.TrySchedule().Should().BeNull("the deferred answer is pending");

        time.Advance(TimeSpan.FromMilliseconds(350));
        gate.TrySchedule().Should().Be(TimeSpan.FromMilliseconds(1125), "again a second after the last one");
    }

    [Fact]
    public void AnswerGate_DelayWithin0To250Ms()
    {
        var time = new FakeTimeProvider();
        var rng = new Random(7);
        var gate = new SolicitAnswerGate(new LighthouseOptions(), rng.NextDouble, time);
        for (var i = 0; i < 200; i++)
        {
            var delay = gate.TrySchedule();
            delay.Should().NotBeNull();
            delay!.Value.Should().BeGreaterThanOrEqualTo(TimeSpan.Zero).And.BeLessThan(TimeSpan.FromMilliseconds(250));
            time.Advance(TimeSpan.FromSeconds(1.3));
        }
    }

    [Fact]
    public void Options_Invalid_AreRefused()
    {
        var bad = new[]
        {
            new LighthouseOptions { Group = System.Net.IPAddress.Parse("10.0.0.1") },
            new LighthouseOptions { Port = 0 },
            new LighthouseOptions { Interval = TimeSpan.Zero },
            new LighthouseOptions { Interval = TimeSpan.FromSeconds(3601) },
            new LighthouseOptions { Jitter = 1 },
            new LighthouseOptions { StartBurst = [TimeSpan.FromSeconds(2), TimeSpan.Zero] },
        };
        foreach (var options in bad)
        {
            options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>();
        }

        new LighthouseOptions().Validate();
    }
}
