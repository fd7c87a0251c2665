using OpenRed.Core.Peers;
using OpenRed.Core.Peers.Internal;

namespace OpenRed.Core.Tests.Peers;

public sealed class BackoffTests
{
    private static readonly PeerOptions Options = new()
    {
        BackoffMin = TimeSpan.FromSeconds(1), BackoffMax = TimeSpan.FromSeconds(60), BackoffJitter = 0.2,
    };

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(6, 32)]
    [InlineData(7, 60)]
    [InlineData(1000, 60)]
    public void Delay_DoublesUpToMax_WithinJitterBounds(int failures, double seconds)
    {
        Backoff.Delay(failures, Options, 0.5).TotalSeconds.Should().BeApproximately(seconds, 1e-9);
        Backoff.Delay(failures, Options, 0).TotalSeconds.Should().BeApproximately(seconds * 0.8, 1e-9);
        Backoff.Delay(failures, Options, 0.999999).TotalSeconds.Should().BeInRange(seconds * 1.19, seconds * 1.2);
    }

    [Fact]
    public void Delay_NoFailures_NoWait()
    {
        Backoff.Delay(0, Options, 0.9).Should().Be(TimeSpan.Zero);
    }
}
