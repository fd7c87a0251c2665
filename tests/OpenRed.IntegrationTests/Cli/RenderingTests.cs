using System.Net;
using OpenRed.Cli.Logging;
using OpenRed.Cli.Rendering;
using Serilog.Events;
using Serilog.Parsing;

namespace OpenRed.IntegrationTests.Cli;

public sealed class RenderingTests
{
    [Theory]
    [InlineData("10.0.0.2", 8080, "10.0.0.2:8080")]
    [InlineData("fd00::2", 8080, "[fd00::2]:8080")]
    [InlineData("::ffff:10.0.0.2", 8080, "10.0.0.2:8080")]
    [InlineData("10.0.0.2", 0, "10.0.0.2")]
    public void Endpoint_ReadsAsPeopleTypeIt(string ip, int port, string expected) =>
        PeerText.Endpoint(IPAddress.Parse(ip), port).Should().Be(expected);

    [Theory]
    [InlineData(0, "0 s")]
    [InlineData(59.9, "59 s")]
    [InlineData(61, "1 min")]
    [InlineData(3 * 3600 + 5 * 60, "3 h 5 min")]
    [InlineData(2 * 86400 + 4 * 3600, "2 d 4 h")]
    [InlineData(-3, "0 s")]
    public void Duration_Rounded(double seconds, string expected) =>
        PeerText.Duration(TimeSpan.FromSeconds(seconds)).Should().Be(expected);

    [Theory]
    [InlineData(31, "31 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(20L << 20, "20.0 MiB")]
    public void Bytes_BinaryUnits(long n, string expected) => PeerText.Bytes(n).Should().Be(expected);

    [Fact]
    public void Rtt_UnknownUntilFirstPong() => PeerText.Rtt(null).Should().Be("-");

    [Fact]
    public void TextColumns_PlainConsole_AlignsWithoutTrailingSpacesOrEscapes()
    {
        var console = Consoles.Create(new StringWriter(), plain: true);

        var text = new TextColumns("node-id", "address", "")
            .Add(false, "bob", "10.0.0.2:8080", "")
            .Add(true, "alexandra", "[fd00::2]:8080", "POSSIBLE IMPERSONATION")
            .Render(console);

        text.Should().Be(
            "node-id    address\n" +
            "bob        10.0.0.2:8080\n" +
            "alexandra  [fd00::2]:8080  POSSIBLE IMPERSONATION\n");
    }

    [Fact]
    public void HasEventId_MatchesTheBridgesEventIdStructure()
    {
        var withId = Event(new StructureValue([new LogEventProperty("Id", new ScalarValue(4005)), new LogEventProperty("Name", new ScalarValue("x"))]));
        var otherId = Event(new StructureValue([new LogEventProperty("Id", new ScalarValue(4006))]));

        LogSetup.HasEventId(withId, LogSetup.ImpersonationEventId).Should().BeTrue();
        LogSetup.HasEventId(otherId, LogSetup.ImpersonationEventId).Should().BeFalse();
        LogSetup.HasEventId(Event(null), LogSetup.ImpersonationEventId).Should().BeFalse();
    }

    [Fact]
    public void HasEventId_SeesTheIdThatMicrosoftLoggingPassesThroughSerilog()
    {
        var sink = new CaptureSink();
        using var serilog = new Serilog.LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();
        using var factory = new Serilog.Extensions.Logging.SerilogLoggerFactory(serilog);
        var logger = factory.CreateLogger("t");

        Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(logger, new Microsoft.Extensions.Logging.EventId(LogSetup.ImpersonationEventId), "warned {X}", 1);

        sink.Events.Should().ContainSingle().Which.Should().Match<LogEvent>(e => LogSetup.HasEventId(e, LogSetup.ImpersonationEventId));
    }

    private sealed class CaptureSink : Serilog.Core.ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];

        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }

    private static LogEvent Event(LogEventPropertyValue? eventId) => new(
        DateTimeOffset.UtcNow,
        LogEventLevel.Warning,
        null,
        new MessageTemplateParser().Parse("x"),
        eventId is null ? [] : [new LogEventProperty("EventId", eventId)]);
}
