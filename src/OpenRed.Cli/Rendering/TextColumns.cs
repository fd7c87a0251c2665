using System.Text;
using Spectre.Console;

namespace OpenRed.Cli.Rendering;

/// <summary>
/// Left-aligned columns, two spaces apart, one line per row, never wrapped inside a cell: a narrow terminal folds
/// a whole line, which stays readable, and scripts can split on whitespace. Bold header and coloured marks only
/// when the console speaks ANSI.
/// </summary>
internal sealed class TextColumns(params string[] headers)
{
    private const string Bold = "\u001b[1m";
    private const string Red = "\u001b[1;31m";
    private const string Reset = "\u001b[0m";

    private readonly List<(string[] Cells, bool Alert)> _rows = [];

    /// <param name="alert">Shows the last cell in red on a terminal (a warning the eye must not miss).</param>
    public TextColumns Add(bool alert, params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"expected {headers.Length} cells, got {cells.Length}", nameof(cells));
        }

        _rows.Add((cells, alert));
        return this;
    }

    public string Render(IAnsiConsole console)
    {
        var ansi = console.Profile.Capabilities.Ansi;
        var widths = headers.Select((h, i) => _rows.Select(r => r.Cells[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        Line(text, headers, widths, ansi ? Bold : null, lastOnly: false);
        foreach (var (cells, alert) in _rows)
        {
            Line(text, cells, widths, alert && ansi ? Red : null, lastOnly: true);
        }

        return text.ToString();
    }

    private static void Line(StringBuilder text, string[] cells, int[] widths, string? style, bool lastOnly)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            var last = i == cells.Length - 1;
            var styled = style is not null && (!lastOnly || last) && cells[i].Length > 0;
            line.Append(styled ? style + cells[i] + Reset : cells[i]);
            if (!last)
            {
                line.Append(' ', widths[i] - cells[i].Length + 2);
            }
        }

        text.Append(line.ToString().TrimEnd()).Append('\n');
    }
}
