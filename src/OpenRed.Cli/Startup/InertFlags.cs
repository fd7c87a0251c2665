using System.CommandLine;

namespace OpenRed.Cli.Startup;

/// <summary>
/// Flags that are parsed and stored for subsystems that do not exist yet. Accepting them silently would let a user
/// believe they work, so each one given says once, at start, that it has no effect yet. Remove a line here when
/// its subsystem lands.
/// </summary>
internal static class InertFlags
{
    /// <summary>One warning line (without the "openred: warning: " prefix) per inert flag given on the command line.</summary>
    public static IReadOnlyList<string> Warnings(StartupFlags flags, ParseResult parse)
    {
        var lines = new List<string>();
        if (Given(parse, flags.AutoResurrect))
        {
            var urns = parse.GetValue(flags.AutoResurrect) ?? [];
            lines.Add($"--auto-resurrect: URN resolution is not available yet (it arrives with the Phoenix subsystem); "
                + $"not resolved: {string.Join(", ", urns)}");
        }

        if (Given(parse, flags.Replicas))
        {
            lines.Add("--replicas: has no effect yet: replication arrives with the Phoenix subsystem");
        }

        if (Given(parse, flags.CacheSize))
        {
            lines.Add("--cache-size: has no effect yet: the chunk cache arrives with the Phoenix subsystem");
        }

        return lines;
    }

    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };
}
