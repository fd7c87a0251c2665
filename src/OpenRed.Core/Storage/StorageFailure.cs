namespace OpenRed.Core.Storage;

/// <summary>Why the data directory or the database cannot be used; each maps to one start failure of the node.</summary>
public enum StorageFailure
{
    /// <summary>The directory cannot be created, is a file, or is open to other users.</summary>
    DataDirectory,

    /// <summary>Another process holds the directory's lock.</summary>
    Locked,

    /// <summary>The key file is missing beside an existing database: a new identity would break every link.</summary>
    IdentityMissing,

    /// <summary>The database file is empty (0 bytes) in a directory that already had an identity.</summary>
    EmptyDatabase,

    /// <summary>SQLite's quick_check found damage.</summary>
    CorruptDatabase,

    /// <summary>The schema is newer than this program.</summary>
    NewerSchema,

    /// <summary>Any other database error (not a database, a failing migration, I/O).</summary>
    Database,
}
