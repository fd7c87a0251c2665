using OpenRed.Core.Text;

namespace OpenRed.Cli.Rendering;

/// <summary>What the user typed, quoted back in a message: visible (see <see cref="VisibleText"/>) and capped.</summary>
internal static class Echo
{
    /// <summary>Enough to recognise any sensible argument; a pasted megabyte is not worth showing again.</summary>
    public const int MaxLength = 200;

    /// <summary><c>'text'</c>, control characters escaped, at most <see cref="MaxLength"/> characters inside the quotes.</summary>
    public static string Quote(string text) => "'" + VisibleText.Escape(text, MaxLength) + "'";
}
