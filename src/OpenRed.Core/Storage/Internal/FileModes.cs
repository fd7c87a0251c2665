using System.Globalization;

namespace OpenRed.Core.Storage.Internal;

internal static class FileModes
{
    /// <summary>A mode as people type it for chmod: <c>0755</c>.</summary>
    public static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0xFFF, 8).PadLeft(3, '0');
}
