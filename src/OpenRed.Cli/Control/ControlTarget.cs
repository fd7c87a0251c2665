using OpenRed.Cli.Startup;
using OpenRed.Core.Identity;

namespace OpenRed.Cli.Control;

/// <summary>
/// Which running node <c>ctl</c> and <c>attach</c> talk to: the data directory chosen as the node itself chooses
/// it (<c>--data-dir</c>, else the default for <c>--node-id</c>, else for the host name), and what follows the flags.
/// </summary>
internal sealed record ControlTarget(string DataDirectory, IReadOnlyList<string> Rest, bool Help)
{
    /// <summary>
    /// Reads the leading flags; the first word that is not one of them starts <see cref="Rest"/> (ctl's command
    /// line, whose own flags such as <c>--json</c> are left alone). Null with <paramref name="error"/> on a bad flag.
    /// </summary>
    public static ControlTarget? Parse(
        IReadOnlyList<string> args, out string? error, Func<string>? hostName = null, Func<string, string?>? environment = null)
    {
        error = null;
        string? dataDir = null;
        string? nodeId = null;
        var i = 0;
        for (; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help" or "-?")
            {
                return new ControlTarget("", [], Help: true);
            }

            if (arg == "--")
            {
                i++;
                break;
            }

            if (!arg.StartsWith('-'))
            {
                break;
            }

            var (name, inline) = arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
            if (name is not ("--data-dir" or "--node-id"))
            {
                var guess = Repl.Suggestions.Nearest(name, ["--data-dir", "--node-id", "--help"]);
                error = $"unknown option {Rendering.Echo.Quote(name)}" + (guess is null ? "" : $"; did you mean '{guess}'?");
                return null;
            }

            var value = inline ?? (i + 1 < args.Count ? args[++i] : null);
            if (value is null)
            {
                error = $"{name}: needs a value";
                return null;
            }

            if (name == "--data-dir")
            {
                if (value.Length == 0 || value.Contains('\0', StringComparison.Ordinal))
                {
                    error = "--data-dir: needs a path";
                    return null;
                }

                dataDir = value;
            }
            else
            {
                nodeId = FlagValues.NodeId(value, out var bad);
                if (bad is not null)
                {
                    error = "--node-id: " + bad;
                    return null;
                }
            }
        }

        nodeId ??= NodeLabels.NodeIdFromHostName((hostName ?? (() => Environment.MachineName))());
        dataDir ??= Core.Storage.DataDirectory.DefaultFor(nodeId, environment);
        return new ControlTarget(Path.GetFullPath(dataDir), [.. args.Skip(i)], Help: false);
    }

    /// <summary>
    /// ctl's command line from its words: one word is the line as typed (<c>ctl 'connect host:port'</c>); several
    /// are joined with spaces, a word with spaces or quotes (or an empty one) quoted so the prompt splits it back.
    /// </summary>
    public static string CommandLine(IReadOnlyList<string> words) =>
        words.Count == 1 ? words[0] : string.Join(' ', words.Select(Quote));

    private static string Quote(string word)
    {
        if (word.Length > 0 && !word.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"'))
        {
            return word;
        }

        return word.Contains('\'', StringComparison.Ordinal) ? "\"" + word + "\"" : "'" + word + "'";
    }
}
