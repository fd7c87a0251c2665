using System.Text;
using OpenRed.Core.Text;
using Spectre.Console;

namespace OpenRed.Cli.Rendering;

/// <summary>
/// Left-aligned columns, two spaces apart, one line per row as long as the rows fit the console. When they do not
/// (a terminal narrower than the table), the widest columns give up width and their long values wrap inside their
/// own column, so the other columns stay aligned; a header never wraps. Scripts get whole lines (their console is
/// 1000 columns wide) and can split on whitespace. Cells are shown with control characters made visible: node-ids
/// and addresses come from peers. Bold header and coloured marks only when the console speaks ANSI.
/// </summary>
internal sealed class TextColumns(params string[] headers)
{
    private const string Bold = "\u001b[1m";
    private const string Red = "\u001b[1;31m";
    private const string Reset = "\u001b[0m";

    // A column squeezed below this would show too little of each value to be read.
    private const int MinSqueezedWidth = 6;

    private readonly List<(string[] Cells, bool Alert)> _rows = [];

    /// <param name="alert">Shows the last cell in red on a terminal (a warning the eye must not miss).</param>
    public TextColumns Add(bool alert, params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"expected {headers.Length} cells, got {cells.Length}", nameof(cells));
        }

        _rows.Add(([.. cells.Select(c => VisibleText.Escape(c))], alert));
        return this;
    }

    public string Render(IAnsiConsole console)
    {
        var ansi = console.Profile.Capabilities.Ansi;
        var widths = Fit(console.Profile.Width);
        var text = new StringBuilder();
        Row(text, headers, widths, ansi ? Bold : null, lastOnly: false);
        foreach (var (cells, alert) in _rows)
        {
            Row(text, cells, widths, alert && ansi ? Red : null, lastOnly: true);
        }

        return text.ToString();
    }

    /// <summary>
    /// Column widths that fit <paramref name="available"/> columns when they can. First the widest columns shrink
    /// down to their longest word, so values wrap between words; then the last column (free text such as a
    /// warning), then the others, widest first, down to a few characters. A header never wraps.
    /// </summary>
    internal int[] Fit(int available)
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r.Cells[i].Length).Append(h.Length).Max()).ToArray();
        var words = headers.Select((h, i) => _rows.SelectMany(r => r.Cells[i].Split(' ')).Select(w => w.Length).Append(h.Length).Max()).ToArray();
        var squeezed = headers.Select((h, i) => Math.Max(h.Length, Math.Min(widths[i], MinSqueezedWidth))).ToArray();
        var last = widths.Length - 1;

        // One column short of the edge: a terminal that wraps at its last column would otherwise add blank lines.
        var excess = widths.Sum() + (2 * last) - (available - 1);
        excess = Shrink(widths, words, excess, Enumerable.Range(0, widths.Length));
        excess = Shrink(widths, squeezed, excess, [last]);
        Shrink(widths, squeezed, excess, Enumerable.Range(0, last));
        return widths;
    }

    // Takes one character at a time from the widest of the candidates still above its floor; returns what is left.
    private static int Shrink(int[] widths, int[] floor, int excess, IEnumerable<int> candidates)
    {
        var columns = candidates.ToList();
        while (excess > 0)
        {
            var widest = -1;
            foreach (var i in columns)
            {
                if (widths[i] > floor[i] && (widest < 0 || widths[i] > widths[widest]))
                {
                    widest = i;
                }
            }

            if (widest < 0)
            {
                break;
            }

            widths[widest]--;
            excess--;
        }

        return excess;
    }

    /// <summary>Splits <paramref name="text"/> into lines of at most <paramref name="width"/>: at spaces, else anywhere.</summary>
    internal static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var rest = text;
        while (rest.Length > width)
        {
            var cut = rest.LastIndexOf(' ', width);
            if (cut <= 0)
            {
                lines.Add(rest[..width]);
                rest = rest[width..];
            }
            else
            {
                lines.Add(rest[..cut]);
                rest = rest[(cut + 1)..];
            }
        }

        lines.Add(rest);
        return lines;
    }

    private static void Row(StringBuilder text, string[] cells, int[] widths, string? style, bool lastOnly)
    {
        var wrapped = cells.Select((c, i) => Wrap(c, widths[i])).ToArray();
        var height = wrapped.Max(w => w.Count);
        for (var l = 0; l < height; l++)
        {
            var line = new StringBuilder();
            for (var i = 0; i < cells.Length; i++)
            {
                var part = l < wrapped[i].Count ? wrapped[i][l] : "";
                var last = i == cells.Length - 1;
                var styled = style is not null && (!lastOnly || last) && part.Length > 0;
                line.Append(styled ? style + part + Reset : part);
                if (!last)
                {
                    line.Append(' ', widths[i] - part.Length + 2);
                }
            }

            text.Append(line.ToString().TrimEnd()).Append('\n');
        }
    }
}
