using System.Text.RegularExpressions;

namespace OpenRed.Core.Identity;

/// <summary>Rules for the human labels of section 2: node-id and sector.</summary>
public static partial class NodeLabels
{
    public const string DefaultSector = "general";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\z")]
    private static partial Regex NodeIdPattern();

    [GeneratedRegex(@"^[a-z0-9_-]{1,32}\z")]
    private static partial Regex SectorPattern();

    public static bool IsValidNodeId(string? s) => s is not null && NodeIdPattern().IsMatch(s);

    public static bool IsValidSector(string? s) => s is not null && SectorPattern().IsMatch(s);

    /// <summary>Turns a host name into a valid node-id (used as the default).</summary>
    public static string NodeIdFromHostName(string host)
    {
        var chars = host.Where(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-').ToArray();
        var s = new string(chars).TrimStart('_', '.', '-');
        if (s.Length > 64)
        {
            s = s[..64];
        }

        return s.Length == 0 ? "node" : s;
    }
}
