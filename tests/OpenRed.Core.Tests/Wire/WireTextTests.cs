using System.Text;
using OpenRed.Core.Wire;

namespace OpenRed.Core.Tests.Wire;

public sealed class WireTextTests
{
    [Fact]
    public void TruncateUtf8_Short_ReturnsSameString()
    {
        var s = "shutting down";
        WireText.TruncateUtf8(s, 256).Should().BeSameAs(s);
    }

    [Fact]
    public void TruncateUtf8_Long_FitsTheBytes()
    {
        var s = new string('x', 900_000);
        WireText.TruncateUtf8(s, 256).Should().Be(new string('x', 256));
    }

    [Theory]
    [InlineData("é", 2)]
    [InlineData("€", 3)]
    [InlineData("😀", 4)]
    public void TruncateUtf8_NeverSplitsACharacter(string unit, int unitBytes)
    {
        var s = string.Concat(Enumerable.Repeat(unit, 200));
        for (var max = 0; max < 20; max++)
        {
            var t = WireText.TruncateUtf8(s, max);
            Encoding.UTF8.GetByteCount(t).Should().Be(max / unitBytes * unitBytes);
            t.Should().Be(string.Concat(Enumerable.Repeat(unit, max / unitBytes)));
        }
    }

    [Fact]
    public void TruncateUtf8_LoneSurrogate_CountsAsReplacement()
    {
        var s = "ab\uD800" + new string('c', 300);
        WireText.TruncateUtf8(s, 5).Should().Be("ab\uD800");
    }
}
