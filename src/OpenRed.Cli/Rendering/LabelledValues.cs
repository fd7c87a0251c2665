using System.Text;
using OpenRed.Core.Text;
using Spectre.Console;

namespace OpenRed.Cli.Rendering;

/// <summary>
/// A label column and a value column, as <c>status</c> prints them. The label column is as wide as its longest
/// label and never shrinks or wraps; a value longer than the room left wraps inside its own column. Values are
/// shown with control characters made visible (paths, peer text, error messages).
/// </summary>
internal sealed class LabelledValues
{
    private const string Bold = "\u001b[1m";
    private const string Reset = "\u001b[0m";

    // Below this a value column is useless; a terminal that narrow folds the lines itself.
    private const int MinValueWidth = 20;

    private readonly List<(string Label, string Value)> _rows = [];

    public LabelledValues Add(string label, string value)
    {
        _rows.Add((label, VisibleText.Escape(value)));
        return this;
    }

    public string Render(IAnsiConsole console)
    {
        var ansi = console.Profile.Capabilities.Ansi;
        var labelWidth = _rows.Count == 0 ? 0 : _rows.Max(r => r.Label.Length);
        var valueWidth = Math.Max(MinValueWidth, console.Profile.Width - 1 - labelWidth - 2);
        var text = new StringBuilder();
        foreach (var (label, value) in _rows)
        {
            var lines = TextColumns.Wrap(value, valueWidth);
            for (var l = 0; l < lines.Count; l++)
            {
                var shown = l == 0 ? label : "";
                var line = (ansi && shown.Length > 0 ? Bold + shown + Reset : shown) + new string(' ', labelWidth - shown.Length + 2) + lines[l];
                text.Append(line.TrimEnd()).Append('\n');
            }
        }

        return text.ToString();
    }
}
