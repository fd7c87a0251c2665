using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.SystemConsole.Themes;

namespace OpenRed.Cli.Logging;

/// <summary>
/// Serilog, configured here only: a daily file in the data directory, warnings and errors on stderr, and with the
/// dashboard the last lines in memory (<see cref="LogRing"/>).
/// </summary>
internal static class LogSetup
{
    /// <summary>An event with this property goes to the file only (the user already saw it as one line).</summary>
    public const string FileOnly = "FileOnly";

    /// <summary>The mesh's possible-impersonation warning (MeshService, event id 4005).</summary>
    internal const int ImpersonationEventId = 4005;

    /// <param name="promptShowsEvents">
    /// True at an interactive prompt, which prints the impersonation warning above the line being typed; stderr then
    /// skips it so that it is neither shown twice nor written through the line. Scripts get it on stderr.
    /// </param>
    /// <param name="ring">The dashboard's last lines (<c>--web</c>): it keeps what the file keeps.</param>
    public static Logger Create(string logsDirectory, LogEventLevel fileLevel, bool promptShowsEvents = false, LogRing? ring = null)
    {
        var minimum = fileLevel < LogEventLevel.Warning ? fileLevel : LogEventLevel.Warning;
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(minimum)
            .Enrich.FromLogContext()

            // Last, so that it also sees what the log context added.
            .Enrich.With<VisibleTextEnricher>()
            .WriteTo.File(
                Path.Combine(logsDirectory, "openred-.log"),
                restrictedToMinimumLevel: fileLevel,
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 14,
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
                formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .WriteTo.Logger(console => console
                .Filter.ByExcluding(e => e.Properties.ContainsKey(FileOnly) || (promptShowsEvents && HasEventId(e, ImpersonationEventId)))
                .WriteTo.Console(
                    restrictedToMinimumLevel: LogEventLevel.Warning,
                    outputTemplate: "openred: {Level:w}: {Message:lj}{NewLine}",
                    formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                    standardErrorFromLevel: LogEventLevel.Verbose,
                    theme: ConsoleTheme.None));
        if (ring is not null)
        {
            configuration = configuration.WriteTo.Sink(ring, restrictedToMinimumLevel: fileLevel);
        }

        return configuration.CreateLogger();
    }

    /// <summary>Serilog.Extensions.Logging carries an EventId as a structure with an "Id" property.</summary>
    internal static bool HasEventId(LogEvent e, int id) =>
        e.Properties.TryGetValue("EventId", out var value) && value is StructureValue s
        && s.Properties.Any(p => p.Name == "Id" && p.Value is ScalarValue { Value: int v } && v == id);
}
