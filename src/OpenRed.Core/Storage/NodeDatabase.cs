using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace OpenRed.Core.Storage;

/// <summary>
/// The node's SQLite database (WAL mode) at its latest schema. Each caller opens its own short-lived
/// connection: SQLite connections are not thread-safe, and WAL lets readers run beside the one writer.
/// </summary>
public sealed partial class NodeDatabase : IDisposable
{
    // SQLITE_CORRUPT (extended codes keep it in the low byte): a page is not what SQLite wrote.
    private const int SqliteCorrupt = 11;

    private readonly string _connectionString;

    // Held open for the node's life. Without it every short-lived connection would be the last one, and SQLite
    // checkpoints and removes the WAL when the last connection closes: milliseconds of disk work per write.
    private readonly SqliteConnection _keeper;
    private bool _disposed;

    private NodeDatabase(string path, int schemaVersion)
    {
        Path = path;
        SchemaVersion = schemaVersion;
        _connectionString = ConnectionString(path);
        _keeper = OpenConnection();
    }

    public string Path { get; }

    public int SchemaVersion { get; }

    /// <summary>
    /// Opens (creating if needed) the database, checks it with SQLite's <c>quick_check</c>, and brings it to the latest
    /// migration.
    /// </summary>
    /// <exception cref="StorageException">
    /// The file is not a database, is damaged, is newer than this program, or a migration failed.
    /// </exception>
    public static NodeDatabase Open(string path, ILogger logger, IReadOnlyList<Migration>? migrations = null)
    {
        migrations ??= Migrations.All;
        try
        {
            using var connection = new SqliteConnection(ConnectionString(path));
            connection.Open();
            // Before anything writes: a damaged page would otherwise show only when a command reads it.
            QuickCheck(connection, path);
            Exec(connection, "PRAGMA journal_mode = WAL;");
            var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
            var latest = migrations.Count == 0 ? 0 : migrations[^1].Version;
            if (version > latest)
            {
                throw new StorageException(
                    StorageFailure.NewerSchema,
                    $"database {path} has schema version {version}, newer than this openred ({latest}); use a newer openred");
            }

            foreach (var m in migrations.Where(m => m.Version > version))
            {
                using var tx = connection.BeginTransaction();
                Exec(connection, m.Sql, tx);
                // user_version lives in the database header, so it commits or rolls back with the step.
                Exec(connection, $"PRAGMA user_version = {m.Version};", tx);
                tx.Commit();
                LogMigrated(logger, m.Version, m.Name);
                version = m.Version;
            }

            return new NodeDatabase(path, version);
        }
        catch (SqliteException e) when ((e.SqliteErrorCode & 0xFF) == SqliteCorrupt)
        {
            throw Damaged(path, e.Message, e);
        }
        catch (SqliteException e)
        {
            throw new StorageException(StorageFailure.Database, $"database {path}: {e.Message}", e);
        }
    }

    /// <summary>The value stored under <paramref name="key"/> in the meta table, or null.</summary>
    public string? GetMeta(string key)
    {
        using var connection = OpenConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE key = $key;";
        cmd.Parameters.AddWithValue("$key", key);
        return cmd.ExecuteScalar() as string;
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> in the meta table, replacing what was there.</summary>
    public void SetMeta(string key, string value)
    {
        using var connection = OpenConnection();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value;";
        cmd.Parameters.AddWithValue("$key", key);
        cmd.Parameters.AddWithValue("$value", value);
        cmd.ExecuteNonQuery();
    }

    /// <summary>A new open connection with the node's pragmas; the caller disposes it.</summary>
    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // WAL with synchronous=NORMAL: a commit is atomic and survives a crash of the process; only a power loss
        // may drop the last commits. FULL would fsync on every commit, milliseconds on the session path.
        Exec(connection, "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;");
        return connection;
    }

    /// <summary>
    /// Checkpoints the WAL into the main file and closes. SQLite removes the -wal and -shm files when the last
    /// connection closes; the explicit checkpoint first empties the WAL even if a caller still holds a connection.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            Exec(_keeper, "PRAGMA wal_checkpoint(TRUNCATE);");
        }
        catch (SqliteException)
        {
            // A checkpoint blocked by another connection is finished by the last close, or by the next open.
        }

        _keeper.Dispose();
    }

    /// <summary>Number of rows in the links table (peers ever verified).</summary>
    public int CountLinks()
    {
        using var connection = OpenConnection();
        return Convert.ToInt32(Scalar(connection, "SELECT count(*) FROM links;"), System.Globalization.CultureInfo.InvariantCulture);
    }

    // Pooling off: a closed node must not keep the file open, and opening a SQLite connection is cheap.
    private static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = false,
    }.ToString();

    private static void QuickCheck(SqliteConnection connection, string path)
    {
        // quick_check reads every page of every table and index (not the index contents): proportional to the
        // file's size, milliseconds for a node's database. It answers one row "ok", or rows describing damage.
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA quick_check(1);";
        var answer = Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (!string.Equals(answer, "ok", StringComparison.Ordinal))
        {
            throw Damaged(path, answer ?? "no answer", null);
        }
    }

    private static StorageException Damaged(string path, string detail, Exception? inner) => new(
        StorageFailure.CorruptDatabase,
        $"database {path} is damaged ({OneLine(detail)}); restore it from a backup (openred changes nothing in it)",
        inner);

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    private static void Exec(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Database migrated to version {Version} ({Name})")]
    private static partial void LogMigrated(ILogger logger, int version, string name);
}
