using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Lighthouse.Internal;
using OpenRed.Core.Limits;

namespace OpenRed.Core.Tests.Lighthouse;

public sealed class RateLimitTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void TokenBucket_AllowsBurstThenRefillsAtRate()
    {
        var bucket = new TokenBucket(10, 10, _time);
        Enumerable.Range(0, 10).Select(_ => bucket.TryTake()).ToList().Should().AllBeEquivalentTo(true);
        bucket.TryTake().Should().BeFalse();

        _time.Advance(TimeSpan.FromMilliseconds(100));
        bucket.TryTake().Should().BeTrue();
        bucket.TryTake().Should().BeFalse();

        _time.Advance(TimeSpan.FromSeconds(100));
        bucket.IsFull().Should().BeTrue();
        Enumerable.Range(0, 11).Count(_ => bucket.TryTake()).Should().Be(10);
    }

    [Fact]
    public void PerSource_200PerSecond_ExcessDroppedAndCounted()
    {
        var limiter = new SourceRateLimiter(200, 2000, 100, _time);
        var source = IPAddress.Parse("10.0.0.1");

        var results = Enumerable.Range(0, 250).Select(_ => limiter.Check(source)).ToList();

        results.Count(r => r == BeaconRejection.None).Should().Be(200);
        results.Skip(200).Should().AllBeEquivalentTo(BeaconRejection.SourceRateLimited);

        _time.Advance(TimeSpan.FromSeconds(1));
        Enumerable.Range(0, 250).Count(_ => limiter.Check(source) == BeaconRejection.None).Should().Be(200);
    }

    [Fact]
    public void PerSource_FloodFromOneAddress_DoesNotStarveAnother()
    {
        var limiter = new SourceRateLimiter(200, 2000, 100, _time);
        for (var i = 0; i < 10_000; i++)
        {
            limiter.Check(IPAddress.Parse("10.0.0.1"));
        }

        limiter.Check(IPAddress.Parse("10.0.0.2")).Should().Be(BeaconRejection.None);
    }

    [Fact]
    public void Global_2000PerSecondInAll()
    {
        var limiter = new SourceRateLimiter(200, 2000, 100, _time);
        var accepted = 0;
        for (var s = 0; s < 20; s++)
        {
            var source = new IPAddress([10, 0, 0, (byte)s]);
            for (var i = 0; i < 200; i++)
            {
                if (limiter.Check(source) == BeaconRejection.None)
                {
                    accepted++;
                }
            }
        }

        accepted.Should().Be(2000);
        limiter.Check(IPAddress.Parse("10.0.1.1")).Should().Be(BeaconRejection.GlobalRateLimited);
    }

    [Fact]
    public void TrackedSources_AreBounded_IdleOnesForgotten()
    {
        var limiter = new SourceRateLimiter(200, 1_000_000, 4, _time);
        for (var s = 0; s < 4; s++)
        {
            limiter.Check(new IPAddress([10, 0, 0, (byte)s])).Should().Be(BeaconRejection.None);
        }

        // All four buckets still miss a token: a fifth source cannot be tracked yet.
        limiter.Check(IPAddress.Parse("10.0.0.9")).Should().Be(BeaconRejection.SourceRateLimited);

        _time.Advance(TimeSpan.FromSeconds(1));
        limiter.Check(IPAddress.Parse("10.0.0.9")).Should().Be(BeaconRejection.None);
        limiter.TrackedSources.Should().Be(1);
    }
}
