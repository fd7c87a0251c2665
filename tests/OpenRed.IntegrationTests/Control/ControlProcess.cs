using System.Text.RegularExpressions;
using OpenRed.IntegrationTests.Cli;

namespace OpenRed.IntegrationTests.Control;

/// <summary>Running <c>openred ctl</c> and reading a piped prompt's answer to one line, for comparing the two.</summary>
internal static partial class ControlProcess
{
    public static Task<OpenRedRun> CtlAsync(string dataDir, params string[] commandWords) =>
        OpenRedProcess.RunAsync(["ctl", "--data-dir", dataDir, .. commandWords]);

    /// <summary>
    /// What the piped prompt of <paramref name="node"/> prints for <paramref name="line"/>: its stdout lines up to a
    /// marker command's answer, and its stderr (waited for when <paramref name="fails"/>).
    /// </summary>
    public static async Task<(string Stdout, string Stderr)> PromptAsync(OpenRedProcess node, string line, bool fails = false)
    {
        var outSeen = node.StdoutLines.Count;
        var errSeen = node.StderrLines.Count;
        await node.WriteLineAsync(line);
        await node.WriteLineAsync(Marker);
        await node.WaitForStdoutAsync(IsMarker, skip: outSeen);
        var markerAt = IndexOfMarker(node.StdoutLines, outSeen);
        if (line == Marker)
        {
            await node.WaitForStdoutAsync(IsMarker, skip: markerAt + 1);
            markerAt = IndexOfMarker(node.StdoutLines, markerAt + 1);
        }

        if (fails)
        {
            await node.WaitForStderrAsync(_ => true, skip: errSeen);
        }

        var stdout = node.StdoutLines.Skip(outSeen).Take(markerAt - outSeen);
        var stderr = node.StderrLines.Skip(errSeen);
        return (Join(stdout), Join(stderr));
    }

    /// <summary>Numbers (uptime, ports, ages, byte counts) differ between two runs a moment apart; the rest must not.</summary>
    public static string Masked(string text) => Digits().Replace(text, "0");

    public static string Join(IEnumerable<string> lines) => string.Concat(lines.Select(l => l + "\n"));

    private const string Marker = "status --json";

    private static bool IsMarker(string line) => line.StartsWith("{\"node_id\":", StringComparison.Ordinal);

    private static int IndexOfMarker(IReadOnlyList<string> lines, int from)
    {
        for (var i = from; i < lines.Count; i++)
        {
            if (IsMarker(lines[i]))
            {
                return i;
            }
        }

        throw new InvalidOperationException("marker not found");
    }

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();
}
