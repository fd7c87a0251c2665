using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace OpenRed.Core.Storage;

/// <summary>
/// The node's SQLite database (WAL mode) at its latest schema. Each caller opens its own short-lived
/// connection: SQLite connections are not thread-safe, and WAL lets readers run beside the one writer.
/// </summary>
public sealed partial class NodeDatabase : IDisposable
{
    private readonly string _connectionString;

    // Held open for the node's life. Without it every short-lived connection would be the last one, and SQLite
    // checkpoints and removes the WAL when the last connection closes: milliseconds of disk work per write.
    private readonly SqliteConnection _keeper;

    private NodeDatabase(string path, int schemaVersion)
    {
        Path = path;
        SchemaVersion = schemaVersion;
        _connectionString = ConnectionString(path);
        _keeper = OpenConnection();
    }

    public string Path { get; }

    public int SchemaVersion { get; }

    /// <summary>Opens (creating if needed) the database and brings it to the latest migration.</summary>
    /// <exception cref="NodeStartException">The file is not a database, or is newer than this program.</exception>
    public static NodeDatabase Open(string path, ILogger logger, IReadOnlyList<Migration>? migrations = null)
    {
        migrations ??= Migrations.All;
        try
        {
            using var connection = new SqliteConnection(ConnectionString(path));
            connection.Open();
            Exec(connection, "PRAGMA journal_mode = WAL;");
            var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
            var latest = migrations.Count == 0 ? 0 : migrations[^1].Version;
            if (version > latest)
            {
                throw new NodeStartException(
                    NodeStartFailure.Database,
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
        catch (SqliteException e)
        {
            throw new NodeStartException(NodeStartFailure.Database, $"database {path}: {e.Message}", e);
        }
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

    /// <summary>Closes the database; the last close checkpoints the WAL into the main file.</summary>
    public void Dispose() => _keeper.Dispose();

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
