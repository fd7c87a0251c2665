using System.Globalization;
using OpenRed.Core.Text;
using Serilog.Core;
using Serilog.Events;

namespace OpenRed.Cli.Logging;

/// <summary>
/// Rewrites every property of a log event so that its rendering holds no control character: node-ids, reasons and
/// addresses logged from peers (or typed by a user) can then neither move a terminal's cursor on stderr nor forge
/// or break lines in the log file. Runs before both sinks; the message templates are ours and stay as written.
/// </summary>
internal sealed class VisibleTextEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? changed = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            var visible = Visible(value);
            if (!ReferenceEquals(visible, value))
            {
                (changed ??= []).Add(new LogEventProperty(name, visible));
            }
        }

        foreach (var property in changed ?? [])
        {
            logEvent.AddOrUpdateProperty(property);
        }
    }

    /// <summary>The value with its text made visible; the same instance when there was nothing to change.</summary>
    internal static LogEventPropertyValue Visible(LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue scalar:
                return VisibleScalar(scalar);
            case SequenceValue sequence:
            {
                var elements = sequence.Elements.Select(Visible).ToList();
                return elements.Where((e, i) => !ReferenceEquals(e, sequence.Elements[i])).Any() ? new SequenceValue(elements) : value;
            }

            case StructureValue structure:
            {
                var properties = structure.Properties.Select(p => (p, v: Visible(p.Value))).ToList();
                return properties.Any(x => !ReferenceEquals(x.v, x.p.Value))
                    ? new StructureValue(properties.Select(x => new LogEventProperty(x.p.Name, x.v)), structure.TypeTag)
                    : value;
            }

            case DictionaryValue dictionary:
            {
                var pairs = dictionary.Elements.Select(kv => (k: VisibleScalar(kv.Key), v: Visible(kv.Value), kv)).ToList();
                return pairs.Any(x => !ReferenceEquals(x.k, x.kv.Key) || !ReferenceEquals(x.v, x.kv.Value))
                    ? new DictionaryValue(pairs.Select(x => new KeyValuePair<ScalarValue, LogEventPropertyValue>(x.k, x.v)))
                    : value;
            }

            default:
                return value;
        }
    }

    private static ScalarValue VisibleScalar(ScalarValue scalar)
    {
        var text = scalar.Value switch
        {
            null or bool or byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal
                or DateTime or DateTimeOffset or TimeSpan or Guid or Enum => null,
            string s => s,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var other => other.ToString(),
        };
        return text is not null && VisibleText.NeedsEscaping(text) ? new ScalarValue(VisibleText.Escape(text)) : scalar;
    }
}
