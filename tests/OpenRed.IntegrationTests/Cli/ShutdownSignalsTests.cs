using Microsoft.Extensions.Time.Testing;
using OpenRed.Cli.Repl;

namespace OpenRed.IntegrationTests.Cli;

public sealed class ShutdownSignalsTests
{
    [Fact]
    public void Interactive_FirstInterruptClears_SecondWithinTwoSecondsQuits()
    {
        var time = new FakeTimeProvider();
        using var s = new ShutdownSignals(time, interactive: true, register: false);

        s.Interrupt().Should().BeFalse();
        time.Advance(TimeSpan.FromSeconds(1.5));
        s.Interrupt().Should().BeTrue();
        s.Token.IsCancellationRequested.Should().BeTrue();
    }

    [Fact]
    public void Interactive_InterruptsFarApart_DoNotQuit()
    {
        var time = new FakeTimeProvider();
        using var s = new ShutdownSignals(time, interactive: true, register: false);

        s.Interrupt().Should().BeFalse();
        time.Advance(TimeSpan.FromSeconds(3));
        s.Interrupt().Should().BeFalse();
        s.Token.IsCancellationRequested.Should().BeFalse();
    }

    [Fact]
    public void NotInteractive_FirstInterruptQuits()
    {
        using var s = new ShutdownSignals(new FakeTimeProvider(), interactive: false, register: false);

        s.Interrupt().Should().BeTrue();
        s.Reason.Should().Be("interrupt");
    }
}
