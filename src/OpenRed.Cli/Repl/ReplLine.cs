using System.Text;

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

    /// <summary>
    /// The words of a line as a shell would split them: <c>'...'</c> and <c>"..."</c> group words and may be
    /// empty (<c>disconnect ''</c> passes an empty name, not two apostrophes). A quote without its closing
    /// partner is an ordinary character, so <c>it's</c> stays one word.
    /// </summary>
    public static List<string> Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else if (c is '\'' or '"' && line.IndexOf(c, i + 1) >= 0)
            {
                quote = c;
                inWord = true;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}
