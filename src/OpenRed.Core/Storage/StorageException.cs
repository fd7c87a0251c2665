namespace OpenRed.Core.Storage;

/// <summary>
/// The data directory or the database cannot be used; <see cref="Exception.Message"/> is one line fit for the user,
/// naming the file or directory. Storage never repairs, overwrites or deletes what it refuses.
/// </summary>
public sealed class StorageException : Exception
{
    public StorageException(StorageFailure failure, string message, Exception? inner = null)
        : base(message, inner) => Failure = failure;

    public StorageException() { }

    public StorageException(string message) : base(message) { }

    public StorageException(string message, Exception inner) : base(message, inner) { }

    public StorageFailure Failure { get; }
}
