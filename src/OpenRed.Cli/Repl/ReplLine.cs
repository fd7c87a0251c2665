namespace OpenRed.Cli.Repl;

/// <summary>Splitting a prompt line without losing what the user typed.</summary>
internal static class ReplLine
{
    /// <summary>The text after the first <paramref name="words"/> whitespace-separated words, untouched.</summary>
    public static string RestAfterWords(string line, int words)
    {
        var i = 0;
        for (var w = 0; w < words; w++)
        {
            while (i < line.Length && char.IsWhiteSpace(line[i]))
            {
                i++;
            }

            while (i < line.Length && !char.IsWhiteSpace(line[i]))
            {
                i++;
            }
        }

        while (i < line.Length && char.IsWhiteSpace(line[i]))
        {
            i++;
        }

        return line[i..];
    }

    /// <summary>The first word of a line, or "" for a blank line.</summary>
    public static string FirstWord(string line)
    {
        var t = line.TrimStart();
        var end = 0;
        while (end < t.Length && !char.IsWhiteSpace(t[end]))
        {
            end++;
        }

        return t[..end];
    }
}
