using System.Globalization;
using System.Text;

namespace OpenRed.Core.Text;

/// <summary>
/// Text from a user's line or from a peer, made safe to print on a terminal or in a log line: every character a
/// terminal could act on, or that could hide or reorder what is shown, is written as a visible escape.
/// </summary>
/// <remarks>
/// <para>
/// Escaped: C0 controls (newline and tab included, so one value stays one line), DEL, C1 controls (U+009B is a
/// CSI on some terminals), format characters (bidi overrides and isolates, zero-width spaces, BOM, tag
/// characters), line and paragraph separators, and unpaired surrogates.
/// </para>
/// <para>
/// The form is C-style ASCII: <c>\x1b</c> below U+0100, <c>\u202e</c> in the BMP, <c>\U000e0041</c> above it.
/// Control pictures (U+241B and friends) were the other choice; they need a font that has them, cannot show
/// C1, format or astral characters, and a peer can send the picture itself, so ASCII escapes say more. A backslash
/// is not doubled: the aim is a terminal that never acts on peer text, and legitimate text keeps its backslashes.
/// </para>
/// <para>
/// Zero-width joiner and non-joiner (U+200D, U+200C) pass: emoji sequences and several scripts need them, and a
/// terminal does not act on them. Identifiers that must not hide characters (node-ids, sectors) are validated
/// elsewhere to ASCII.
/// </para>
/// </remarks>
public static class VisibleText
{
    /// <summary>Shown where text was cut; one character, so a cap is exact.</summary>
    public const string Ellipsis = "…";

    /// <summary>
    /// <paramref name="text"/> with hidden and control characters escaped; the same instance when none is there.
    /// With <paramref name="maxLength"/> the result is at most that many characters, cut before an escape or
    /// surrogate pair rather than through it, and ending in <see cref="Ellipsis"/> when cut.
    /// </summary>
    public static string Escape(string? text, int maxLength = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        if (text.Length <= maxLength && !NeedsEscaping(text))
        {
            return text;
        }

        var result = new StringBuilder(Math.Min(text.Length, maxLength) + 8);
        var span = text.AsSpan();
        while (!span.IsEmpty)
        {
            var status = Rune.DecodeFromUtf16(span, out var rune, out var consumed);
            var piece = status == System.Buffers.OperationStatus.Done && !IsHidden(rune)
                ? span[..consumed].ToString()
                : EscapeOf(status == System.Buffers.OperationStatus.Done ? rune.Value : span[0]);
            if (status != System.Buffers.OperationStatus.Done)
            {
                consumed = 1;
            }

            var rest = span.Length - consumed;
            if (result.Length + piece.Length > maxLength - (rest > 0 ? Ellipsis.Length : 0))
            {
                // Cut here: the piece and what follows do not fit with the ellipsis.
                return result.Append(Ellipsis).ToString();
            }

            result.Append(piece);
            span = span[consumed..];
        }

        return result.ToString();
    }

    /// <summary>True when <paramref name="text"/> holds a character that <see cref="Escape"/> would escape.</summary>
    public static bool NeedsEscaping(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(text, out var rune, out var consumed) != System.Buffers.OperationStatus.Done || IsHidden(rune))
            {
                return true;
            }

            text = text[consumed..];
        }

        return false;
    }

    /// <summary>True for a character that a terminal acts on or that hides or reorders text.</summary>
    public static bool IsHidden(Rune rune)
    {
        if (rune.Value is 0x200C or 0x200D)
        {
            return false;
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate;
    }

    private static string EscapeOf(int value) => value switch
    {
        < 0x100 => string.Create(CultureInfo.InvariantCulture, $"\\x{value:x2}"),
        < 0x10000 => string.Create(CultureInfo.InvariantCulture, $"\\u{value:x4}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"\\U{value:x8}"),
    };
}
