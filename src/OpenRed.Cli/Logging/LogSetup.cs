using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Sinks.SystemConsole.Themes;

namespace OpenRed.Cli.Logging;

/// <summary>Serilog, configured here only: a daily file in the data directory, and warnings and errors on stderr.</summary>
internal static class LogSetup
{
    /// <summary>An event with this property goes to the file only (the user already saw it as one line).</summary>
    public const string FileOnly = "FileOnly";

    public static Logger Create(string logsDirectory, LogEventLevel fileLevel)
    {
        var minimum = fileLevel < LogEventLevel.Warning ? fileLevel : LogEventLevel.Warning;
        return new LoggerConfiguration()
            .MinimumLevel.Is(minimum)
            .Enrich.FromLogContext()
            .WriteTo.File(
                Path.Combine(logsDirectory, "openred-.log"),
                restrictedToMinimumLevel: fileLevel,
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 14,
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
                formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .WriteTo.Logger(console => console
                .Filter.ByExcluding(e => e.Properties.ContainsKey(FileOnly))
                .WriteTo.Console(
                    restrictedToMinimumLevel: LogEventLevel.Warning,
                    outputTemplate: "openred: {Level:w}: {Message:lj}{NewLine}",
                    formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                    standardErrorFromLevel: LogEventLevel.Verbose,
                    theme: ConsoleTheme.None))
            .CreateLogger();
    }
}
