using OpenRed.Core.Identity;
using OpenRed.Core.Storage.Internal;

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

    /// <summary>
    /// Creates the directory (0700 on Unix: it holds the private key) if it does not exist, and refuses one that
    /// another user owns or that others can enter, read or write.
    /// </summary>
    /// <exception cref="StorageException">It cannot be created, the path is not a directory, or it is not private.</exception>
    public void Create()
    {
        if (File.Exists(Root))
        {
            throw new StorageException(StorageFailure.DataDirectory, $"data directory {Root} is a file, not a directory");
        }

        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(Root);
            }
            else
            {
                Directory.CreateDirectory(Root, OwnerOnlyDirectory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(StorageFailure.DataDirectory, $"data directory {Root} cannot be created: {e.Message}", e);
        }

        if (!OperatingSystem.IsWindows())
        {
            CheckPrivate();
        }
    }

    /// <summary>
    /// Refuses contents that a start would silently lose: a missing key beside an existing database (a new identity
    /// breaks every friend's link) unless <paramref name="acceptNewIdentity"/>, and an empty database in a directory
    /// that already has an identity (its links would vanish). Call it before the key is created.
    /// </summary>
    /// <exception cref="StorageException">One of the two; nothing is changed.</exception>
    public void CheckContents(bool acceptNewIdentity)
    {
        var database = new FileInfo(Database);
        var hasKey = File.Exists(KeyFile) || Directory.Exists(KeyFile);
        if (!hasKey && database.Exists && database.Length > 0 && !acceptNewIdentity)
        {
            throw new StorageException(
                StorageFailure.IdentityMissing,
                $"identity key file {KeyFile} is missing beside the database {Database}: a new identity would change this node's " +
                "fingerprint and break every link to it; restore the key file, or start with --new-identity to accept a new identity");
        }

        // Without a key the directory is new (a first start may have died right after SQLite created the file):
        // there is nothing to lose, and SQLite makes an empty file a new database.
        if (hasKey && database.Exists && database.Length == 0)
        {
            throw new StorageException(
                StorageFailure.EmptyDatabase,
                $"database {Database} is empty (0 bytes) but this data directory already has an identity: its links would be lost; " +
                "restore the file from a backup, or remove it to start with an empty database");
        }
    }

    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private void CheckPrivate()
    {
        var owner = UnixOwner.OwnerOf(Root);
        var me = UnixOwner.EffectiveUserId();
        if (owner is { } o && me is { } m && o != m)
        {
            throw new StorageException(
                StorageFailure.DataDirectory,
                $"data directory {Root} belongs to another user (uid {o}, this process runs as uid {m}); use a directory of your own");
        }

        var mode = File.GetUnixFileMode(Root);
        if ((mode & GroupOrOthers) != 0)
        {
            throw new StorageException(
                StorageFailure.DataDirectory,
                $"data directory {Root} is open to other users (mode {FileModes.Octal(mode)}); run: chmod 700 {Root}");
        }
    }
}
