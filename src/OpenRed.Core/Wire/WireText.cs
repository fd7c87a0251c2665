using System.Text;

namespace OpenRed.Core.Wire;

/// <summary>Bounds for text a peer sent, applied on receipt.</summary>
public static class WireText
{
    /// <summary>
    /// The longest prefix of <paramref name="text"/> whose UTF-8 form fits in <paramref name="maxBytes"/>, never
    /// splitting a character; the string itself when it fits. Lone surrogates count as U+FFFD, as they would be sent.
    /// </summary>
    public static string TruncateUtf8(string text, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        if (text.Length * 3 <= maxBytes)
        {
            // A UTF-16 unit never needs more than 3 UTF-8 bytes (a pair needs 4 for its 2 units).
            return text;
        }

        var bytes = 0;
        var chars = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > maxBytes)
            {
                return text[..chars];
            }

            bytes += rune.Utf8SequenceLength;
            chars += RuneUtf16Length(text, chars, rune);
        }

        return text;
    }

    // EnumerateRunes yields U+FFFD for a lone surrogate, whose own length (1) is the one unit it stands for.
    private static int RuneUtf16Length(string text, int at, Rune rune) =>
        rune.Value == Rune.ReplacementChar.Value && char.IsSurrogate(text[at]) ? 1 : rune.Utf16SequenceLength;
}
