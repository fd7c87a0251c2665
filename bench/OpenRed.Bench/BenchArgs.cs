using System.Globalization;

namespace OpenRed.Bench;

/// <summary>The command line: the first word is the command, then <c>--name value</c> pairs and bare <c>--flag</c>s.</summary>
internal sealed class BenchArgs
{
    private static readonly HashSet<string> Flags = ["--json", "--same-sector", "--cold", "--help", "-h"];
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private BenchArgs(string command) => Command = command;

    public string Command { get; }

    /// <summary>Parses; throws <see cref="ArgumentException"/> with a message for people on a malformed line.</summary>
    public static BenchArgs Parse(string[] args)
    {
        var start = args.Length > 0 && !args[0].StartsWith('-') ? 1 : 0;
        var parsed = new BenchArgs(start == 1 ? args[0] : "all");
        for (var i = start; i < args.Length; i++)
        {
            var a = args[i];
            if (Flags.Contains(a))
            {
                parsed._flags.Add(a);
            }
            else if (a.StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                parsed._values[a] = args[++i];
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{a}'");
            }
        }

        return parsed;
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public string? String(string name) => _values.GetValueOrDefault(name);

    public string String(string name, string fallback) => _values.GetValueOrDefault(name) ?? fallback;

    public int Int(string name, int fallback, int min, int max) => (int)Number(name, fallback, min, max);

    public double Number(string name, double fallback, double min, double max)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
        {
            throw new ArgumentException($"{name} must be a number from {min} to {max}, not '{text}'");
        }

        return v;
    }
}
