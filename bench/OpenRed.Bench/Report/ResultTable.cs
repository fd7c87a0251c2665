using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenRed.Bench.Infra;

namespace OpenRed.Bench.Report;

/// <summary>Every figure of one run with the machine it ran on: printed one line a figure, or as JSON.</summary>
internal sealed class ResultTable(Machine machine)
{
    private readonly List<Figure> _figures = [];

    public Machine Machine { get; } = machine;

    public IReadOnlyList<Figure> Figures => _figures;

    public List<string> Problems { get; } = [];

    public void Add(Figure figure) => _figures.Add(figure);

    public void AddRange(IEnumerable<Figure> figures) => _figures.AddRange(figures);

    public string ToText()
    {
        var sb = new StringBuilder();
        var m = Machine;
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"# OpenRed bench, {m.Date}: {m.Cores} cores, {m.Cpu}, {m.Runtime}, taskset {(m.Taskset ? "yes" : "no (runs unpinned)")}, network namespace {(m.InNamespace ? "yes" : "NO")}");
        var rows = _figures.Select(f => new[]
        {
            f.Name,
            Num(f.Value),
            f.Unit,
            f.Target ?? "-",
            f.Met switch { true => "yes", false => "NO", null => "-" },
            f.Reference is null ? "-" : $"{f.Reference}{(f.ReferenceValue is { } r ? $" = {Num(r)} {f.ReferenceUnit}" : "")}",
            f.Ratio is { } q ? q.ToString("0.00", CultureInfo.InvariantCulture) : "-",
            f.PeakRssKiB is { } k ? $"{k / 1024.0:0} MiB" : "-",
        }).ToList();
        string[] header = ["figure", "value", "unit", "target", "met", "reference", "ratio", "peak RSS"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        sb.AppendLine(Row(header, widths));
        foreach (var r in rows)
        {
            sb.AppendLine(Row(r, widths));
        }

        var notes = _figures.Where(f => f.Note is not null).ToList();
        if (notes.Count > 0)
        {
            sb.AppendLine();
            foreach (var f in notes)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"- {f.Name}: {f.Note}");
            }
        }

        foreach (var p in Problems)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"! {p}");
        }

        return sb.ToString();
    }

    public string ToJson()
    {
        var m = Machine;
        var root = new JsonObject
        {
            ["machine"] = new JsonObject
            {
                ["cores"] = m.Cores,
                ["cpu"] = m.Cpu,
                ["date"] = m.Date,
                ["runtime"] = m.Runtime,
                ["taskset"] = m.Taskset,
                ["network_namespace"] = m.InNamespace,
            },
            ["figures"] = new JsonArray(_figures.Select(f => (JsonNode)new JsonObject
            {
                ["name"] = f.Name,
                ["value"] = Round(f.Value),
                ["unit"] = f.Unit,
                ["cores"] = m.Cores,
                ["target"] = f.Target,
                ["met"] = f.Met,
                ["reference"] = f.Reference,
                ["reference_value"] = f.ReferenceValue is { } r ? Round(r) : null,
                ["reference_unit"] = f.ReferenceUnit,
                ["ratio"] = f.Ratio is { } q ? Math.Round(q, 4) : null,
                ["peak_rss_kib"] = f.PeakRssKiB,
                ["note"] = f.Note,
            }).ToArray()),
            ["problems"] = new JsonArray(Problems.Select(p => (JsonNode)JsonValue.Create(p)).ToArray()),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static string Row(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == 1 ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();

    private static string Num(double v) => Math.Abs(v) switch
    {
        >= 100 => v.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => v.ToString("0.0", CultureInfo.InvariantCulture),
        _ => v.ToString("0.00", CultureInfo.InvariantCulture),
    };

    private static double Round(double v) => Math.Round(v, 3);
}
