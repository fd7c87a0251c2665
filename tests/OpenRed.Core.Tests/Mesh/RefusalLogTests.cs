using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Mesh.Internal;

namespace OpenRed.Core.Tests.Mesh;

public sealed class RefusalLogTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ListLogger _logger = new();

    [Fact]
    public void Refused_FirstOfAKind_LoggedAtOnceAtInformation()
    {
        var log = new RefusalLog(_logger, _time);

        log.Refused("connection rate from this address exceeded", "127.0.0.1:4000");

        _logger.Lines.Should().ContainSingle().Which.Should().Match<(LogLevel Level, string Text)>(l =>
            l.Level == LogLevel.Information && l.Text.Contains("Refused 1 ") && l.Text.Contains("rate from this address") && l.Text.Contains("127.0.0.1:4000"));
    }

    [Fact]
    public void Refused_ManyWithinTheInterval_OneSummaryWithTheCountAfterIt()
    {
        var log = new RefusalLog(_logger, _time);
        log.Refused("connection rate from this address exceeded", "a");
        for (var i = 0; i < 99; i++)
        {
            log.Refused("connection rate from this address exceeded", "a");
        }

        _logger.Lines.Should().HaveCount(1, "a flood costs one line per kind and interval");

        _time.Advance(RefusalLog.DefaultInterval);
        log.Refused("connection rate from this address exceeded", "b");

        _logger.Lines.Should().HaveCount(2);
        _logger.Lines[1].Text.Should().Contain("Refused 100 ").And.Contain("60 s").And.Contain("latest from b");
    }

    [Fact]
    public void Refused_OtherKind_HasItsOwnLine()
    {
        var log = new RefusalLog(_logger, _time);
        log.Refused("connection rate from this address exceeded", "a");
        log.Refused("node-wide connection rate exceeded", "a");
        log.Refused("node-wide connection rate exceeded", "a");

        _logger.Lines.Select(l => l.Text).Should().SatisfyRespectively(
            first => first.Should().Contain("this address"),
            second => second.Should().Contain("node-wide"));
    }

    private sealed class ListLogger : ILogger
    {
        private readonly List<(LogLevel Level, string Text)> _lines = [];

        public IReadOnlyList<(LogLevel Level, string Text)> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
