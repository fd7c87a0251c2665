using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Storage;

namespace OpenRed.Core.Modules;

/// <summary>
/// Brings one module's tables to its latest step. Each module numbers its own steps and its version is kept in the
/// <c>module_schema</c> table, so modules arrive and grow without touching the core's list or each other's.
/// </summary>
internal static partial class ModuleSchema
{
    /// <exception cref="SqliteException">A step failed; it was rolled back with its version.</exception>
    /// <exception cref="InvalidOperationException">The database holds a newer version of the module than this program.</exception>
    public static int Apply(NodeDatabase database, string module, IReadOnlyList<Migration> steps, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(steps);
        using var connection = database.OpenConnection();
        var version = Version(connection, module);
        var latest = steps.Count == 0 ? 0 : steps[^1].Version;
        if (version > latest)
        {
            throw new InvalidOperationException(
                $"database {database.Path} has {module} schema version {version}, newer than this openred ({latest}); use a newer openred");
        }

        foreach (var step in steps.Where(m => m.Version > version))
        {
            using var tx = connection.BeginTransaction();
            using (var command = connection.CreateCommand())
            {
                command.Transaction = tx;
                command.CommandText = step.Sql;
                command.ExecuteNonQuery();
            }

            using (var record = connection.CreateCommand())
            {
                record.Transaction = tx;
                record.CommandText = """
                    INSERT INTO module_schema (module, version) VALUES ($module, $version)
                    ON CONFLICT (module) DO UPDATE SET version = excluded.version;
                    """;
                record.Parameters.AddWithValue("$module", module);
                record.Parameters.AddWithValue("$version", step.Version);
                record.ExecuteNonQuery();
            }

            tx.Commit();
            LogMigrated(logger, module, step.Version, step.Name);
            version = step.Version;
        }

        return version;
    }

    private static int Version(SqliteConnection connection, string module)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM module_schema WHERE module = $module;";
        command.Parameters.AddWithValue("$module", module);
        return command.ExecuteScalar() is long v ? (int)v : 0;
    }

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Module {Module} schema at version {Version} ({Name})")]
    private static partial void LogMigrated(ILogger logger, string module, int version, string name);
}
