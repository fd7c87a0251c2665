using OpenRed.Core.Identity;

namespace OpenRed.Core.Phoenix;

/// <summary>URN names of section 8: 1–128 characters of <c>[a-z0-9][a-z0-9_.:-]*</c>.</summary>
public static class UrnName
{
    public const int MaxLength = 128;

    /// <summary>True when <paramref name="name"/> matches the pattern exactly, as a name received on the wire must.</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength || !IsLeading(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!IsLeading(c) && c is not ('_' or '.' or ':' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Reads what a person typed: a name in any case, optionally <c>name@fingerprint-prefix</c> (8+ hex digits).
    /// Returns null with a one-line reason when it is not one.
    /// </summary>
    public static UrnRequest? TryParse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var name = (at < 0 ? text : text[..at]).Trim().ToLowerInvariant();
        var prefix = at < 0 ? null : text[(at + 1)..].Trim().ToLowerInvariant();
        if (!IsValid(name))
        {
            error = $"'{text}' is not a URN name: 1–{MaxLength} characters of a-z, 0-9 and _ . : - starting with a letter or digit";
            return null;
        }

        if (prefix is not null
            && (prefix.Length < Fingerprint.MinPrefixHexDigits || prefix.Length > Fingerprint.Length * 2 || !prefix.All(char.IsAsciiHexDigit)))
        {
            error = $"'{prefix}' after @ is not a publisher: give {Fingerprint.MinPrefixHexDigits} to 64 hex digits of its fingerprint";
            return null;
        }

        error = null;
        return new UrnRequest(name, prefix);
    }

    /// <summary>A file name made into a URN name: lowercased, extension dropped, other characters replaced by '_'.</summary>
    public static string FromFileName(string path)
    {
        var stem = Path.GetFileNameWithoutExtension(path).ToLowerInvariant();
        var chars = stem.Select(c => IsLeading(c) || c is '_' or '.' or ':' or '-' ? c : '_').ToArray();
        var name = new string(chars).TrimStart('_', '.', ':', '-');
        if (name.Length > MaxLength)
        {
            name = name[..MaxLength];
        }

        return name.Length == 0 ? "urn_file" : name;
    }

    private static bool IsLeading(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}

/// <summary>A URN as asked for: its name and, optionally, the start of its publisher's fingerprint (lowercase hex).</summary>
public sealed record UrnRequest(string Name, string? PublisherPrefix)
{
    public override string ToString() => PublisherPrefix is null ? Name : $"{Name}@{PublisherPrefix}";
}
