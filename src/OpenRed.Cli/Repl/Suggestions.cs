namespace OpenRed.Cli.Repl;

/// <summary>"Did you mean" for mistyped commands and flags.</summary>
internal static class Suggestions
{
    private const int MaxTypedLength = 64;

    /// <summary>The known word closest to <paramref name="typed"/>, or null if none is close enough to be a typo.</summary>
    public static string? Nearest(string typed, IEnumerable<string> known)
    {
        if (typed.Length > MaxTypedLength)
        {
            // No command or flag is this long, and the distance table would grow with the square of a pasted line.
            return null;
        }

        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var d = Distance(typed.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (d < bestDistance || (d == bestDistance && string.CompareOrdinal(candidate, best) < 0))
            {
                best = candidate;
                bestDistance = d;
            }
        }

        // A third of the word, at least 2 edits: "staus" -> "status", but "xyz" suggests nothing.
        var limit = Math.Max(2, typed.Length / 3);
        return best is not null && (bestDistance <= limit || best.StartsWith(typed, StringComparison.OrdinalIgnoreCase)) ? best : null;
    }

    /// <summary>Levenshtein distance with adjacent transpositions (optimal string alignment).</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
