using OpenRed.Core.Text;

namespace OpenRed.Core.Tests.Text;

public sealed class VisibleTextTests
{
    [Theory]
    [InlineData("\u001b[2J", "\\x1b[2J")]
    [InlineData("a\0b", "a\\x00b")]
    [InlineData("line\nforged\r\tx", "line\\x0aforged\\x0d\\x09x")]
    [InlineData("del\u007f", "del\\x7f")]
    [InlineData("csi\u009b31m", "csi\\x9b31m")]
    [InlineData("\u202eevil", "\\u202eevil")]
    [InlineData("iso\u2066late\u2069", "iso\\u2066late\\u2069")]
    [InlineData("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff")]
    [InlineData("para\u2028sep\u2029", "para\\u2028sep\\u2029")]
    [InlineData("tag\U000E0041", "tag\\U000e0041")]
    public void Escape_ControlAndHiddenCharacters_ShownAsAsciiEscapes(string text, string expected) =>
        VisibleText.Escape(text).Should().Be(expected);

    [Theory]
    [InlineData("alice")]
    [InlineData("Zoë — café, 東京")]
    [InlineData("family 👨\u200d👩\u200d👧")]
    [InlineData("back\\x1b slash")]
    public void Escape_PrintableText_SameInstance(string text)
    {
        VisibleText.Escape(text).Should().BeSameAs(text);
        VisibleText.NeedsEscaping(text).Should().BeFalse();
    }

    [Fact]
    public void Escape_UnpairedSurrogates_Escaped()
    {
        // Built in code: test data attributes would turn a lone surrogate into U+FFFD on the way.
        VisibleText.Escape("lone" + '\ud800' + "x").Should().Be("lone\\ud800x");
        VisibleText.Escape("end" + '\udc00').Should().Be("end\\udc00");
    }

    [Fact]
    public void Escape_Null_Empty() => VisibleText.Escape(null).Should().BeEmpty();

    [Fact]
    public void Escape_Capped_EndsWithEllipsis_WithinLimit()
    {
        var text = new string('a', 1 << 20);

        var shown = VisibleText.Escape(text, 200);

        shown.Should().HaveLength(200).And.EndWith(VisibleText.Ellipsis).And.StartWith("aaaa");
    }

    [Fact]
    public void Escape_CappedAtExactLength_NotCut() =>
        VisibleText.Escape(new string('a', 200), 200).Should().Be(new string('a', 200));

    [Fact]
    public void Escape_Capped_NeverCutsAnEscapeOrSurrogatePair()
    {
        VisibleText.Escape("abc\u001bdef", 6).Should().Be("abc…");
        VisibleText.Escape("ab😀cd", 4).Should().Be("ab…");
        VisibleText.Escape("ab😀", 4).Should().Be("ab😀");
    }

    [Fact]
    public void Escape_IsIdempotent()
    {
        var once = VisibleText.Escape("\u001b[31mred\u202e\n");

        VisibleText.Escape(once).Should().BeSameAs(once);
    }
}
