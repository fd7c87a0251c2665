namespace OpenRed.Core.Storage;

/// <summary>
/// Keeps a second process off a data directory. An exclusive open takes an flock on Unix (an exclusive
/// share mode on Windows) that the OS drops when the process dies, so a node killed with -9 restarts without help.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _stream;

    private DataDirectoryLock(FileStream stream, string directory)
    {
        _stream = stream;
        Directory = directory;
    }

    public string Directory { get; }

    /// <exception cref="StorageException">Another process holds the lock, or the lock file cannot be opened.</exception>
    public static DataDirectoryLock Acquire(DataDirectory dir)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        FileStream stream;
        try
        {
            stream = new FileStream(dir.LockFile, options);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new StorageException(
                StorageFailure.Locked,
                $"data directory {dir.Root} is in use by another openred process (lock {dir.LockFile})",
                e);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new StorageException(StorageFailure.DataDirectory, $"data directory {dir.Root}: cannot open lock file: {e.Message}", e);
        }

        // The pid is for people looking at the directory; the lock itself is the open file.
        stream.SetLength(0);
        var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        stream.Write(pid);
        stream.Flush();
        return new DataDirectoryLock(stream, dir.Root);
    }

    public void Dispose() => _stream.Dispose();
}
