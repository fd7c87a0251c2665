using System.Text;

namespace OpenRed.Cli.Control;

/// <summary>
/// Where a node's control socket lives: in its data directory (0700), with mode 0600, so that access to the node is
/// the file permission, as with Docker's and Tailscale's sockets.
/// </summary>
internal static class ControlSocket
{
    public const string FileName = "control.sock";

    /// <summary>A Unix socket address holds 108 bytes on Linux, the terminating NUL included.</summary>
    public const int MaxPathBytes = 107;

    public static string PathIn(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), FileName);

    /// <summary>Null when the path fits in a socket address, else why not.</summary>
    public static string? TooLong(string path)
    {
        var bytes = Encoding.UTF8.GetByteCount(path);
        return bytes > MaxPathBytes
            ? $"the socket path {path} is {bytes} bytes, more than the {MaxPathBytes} a Unix socket address holds; use a shorter --data-dir"
            : null;
    }
}
