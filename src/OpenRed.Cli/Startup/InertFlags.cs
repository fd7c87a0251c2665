using System.CommandLine;

namespace OpenRed.Cli.Startup;

/// <summary>
/// Flags that are parsed and stored for subsystems that do not exist yet. Accepting them silently would let a user
/// believe they work, so each one given says once, at start, that it has no effect yet. Remove a line here when
/// its subsystem lands. None today: --auto-resurrect, --replicas and --cache-size arrived with Phoenix; the
/// dashboard's own flags say so when given without --web.
/// </summary>
internal static class InertFlags
{
    /// <summary>One warning line (without the "openred: warning: " prefix) per inert flag given on the command line.</summary>
    public static IReadOnlyList<string> Warnings(StartupFlags flags, ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(parse);

        // Flags that only mean something beside --web.
        if (parse.GetResult(flags.Web) is { Implicit: false })
        {
            return [];
        }

        return [.. new[] { flags.WebAllowRemote, flags.NewWebToken }
            .Where(f => parse.GetResult(f) is { Implicit: false })
            .Select(f => $"{f.Name} has no effect without --web")];
    }
}
