using Microsoft.Extensions.Logging;
using OpenRed.Core.Identity;

namespace OpenRed.Core.Storage;

/// <summary>
/// The node-id and sector a data directory remembers (in the meta table), so that a restart without flags keeps the
/// node's name. A value given explicitly wins and is remembered; a fallback (the host name, the default sector) is
/// used only when nothing is remembered yet, and then remembered too.
/// </summary>
public static partial class RememberedLabels
{
    public const string NodeIdKey = "node_id";
    public const string SectorKey = "sector";

    /// <summary>The labels in effect, after storing what must be remembered.</summary>
    /// <exception cref="StorageException">The database cannot be read or written.</exception>
    public static (string NodeId, string Sector) Resolve(
        NodeDatabase database, string nodeId, bool nodeIdIsFallback, string sector, bool sectorIsFallback, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(database);
        try
        {
            var effectiveId = Pick(database, NodeIdKey, nodeId, nodeIdIsFallback, NodeLabels.IsValidNodeId, logger);
            var effectiveSector = Pick(database, SectorKey, sector, sectorIsFallback, NodeLabels.IsValidSector, logger);
            return (effectiveId, effectiveSector);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            throw new StorageException(StorageFailure.Database, $"database {database.Path}: {e.Message}", e);
        }
    }

    private static string Pick(NodeDatabase database, string key, string given, bool givenIsFallback, Func<string, bool> isValid, ILogger logger)
    {
        var stored = database.GetMeta(key);
        if (stored is not null && !isValid(stored))
        {
            // Someone edited the table by hand; the label is a hint for people, so replacing it is harmless.
            LogInvalid(logger, key, given);
            stored = null;
        }

        if (givenIsFallback && stored is not null)
        {
            return stored;
        }

        if (!string.Equals(stored, given, StringComparison.Ordinal))
        {
            database.SetMeta(key, given);
        }

        return given;
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "The remembered {Key} is not valid; using '{Given}' instead")]
    private static partial void LogInvalid(ILogger logger, string key, string given);
}
