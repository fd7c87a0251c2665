using OpenRed.Core.Identity;

namespace OpenRed.Core.Storage;

/// <summary>The layout of a node's data directory. One node per directory, guarded by <see cref="DataDirectoryLock"/>.</summary>
public sealed class DataDirectory
{
    public const string LockFileName = "openred.lock";
    public const string DatabaseFileName = "openred.db";
    public const string LogsDirectoryName = "logs";
    public const string HistoryFileName = "history";

    public DataDirectory(string root) => Root = Path.GetFullPath(root);

    public string Root { get; }

    public string KeyFile => Path.Combine(Root, Identity.KeyFile.FileName);

    public string LockFile => Path.Combine(Root, LockFileName);

    public string Database => Path.Combine(Root, DatabaseFileName);

    public string Logs => Path.Combine(Root, LogsDirectoryName);

    public string History => Path.Combine(Root, HistoryFileName);

    /// <summary>The default: <c>$XDG_DATA_HOME/openred/&lt;node-id&gt;</c>, else <c>~/.local/share/openred/&lt;node-id&gt;</c>.</summary>
    public static string DefaultFor(string nodeId, Func<string, string?>? getEnvironment = null)
    {
        getEnvironment ??= Environment.GetEnvironmentVariable;
        var xdg = getEnvironment("XDG_DATA_HOME");
        var baseDir = !string.IsNullOrEmpty(xdg) && Path.IsPathFullyQualified(xdg)
            ? xdg
            : Path.Combine(getEnvironment("HOME") is { Length: > 0 } home
                ? home
                : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(baseDir, "openred", nodeId);
    }

    /// <summary>Creates the directory (owner-only on Unix: it holds the private key) if it does not exist.</summary>
    /// <exception cref="NodeStartException">It cannot be created, or the path is not a directory.</exception>
    public void Create()
    {
        if (File.Exists(Root))
        {
            throw new NodeStartException(NodeStartFailure.DataDirectory, $"data directory {Root} is a file, not a directory");
        }

        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(Root);
            }
            else
            {
                Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NodeStartException(NodeStartFailure.DataDirectory, $"data directory {Root} cannot be created: {e.Message}", e);
        }
    }
}
