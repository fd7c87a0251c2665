using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core.Storage;

namespace OpenRed.Core.Tests.Storage;

public sealed class NodeDatabaseTests
{
    [Fact]
    public void Open_Fresh_IsAtLatestVersion_WalMode_LinksTableExists()
    {
        using var dir = new TempDir();

        var db = NodeDatabase.Open(dir.Sub("openred.db"), NullLogger.Instance);

        db.SchemaVersion.Should().Be(Migrations.Latest);
        using var c = db.OpenConnection();
        Scalar(c, "PRAGMA journal_mode;").Should().Be("wal");
        Scalar(c, "PRAGMA user_version;").Should().Be(Migrations.Latest.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Scalar(c, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'links');").Should().Be("2");
        db.CountLinks().Should().Be(0);
    }

    [Fact]
    public void Open_Again_DoesNotRerunMigrations_KeepsData()
    {
        using var dir = new TempDir();
        var path = dir.Sub("openred.db");
        var db = NodeDatabase.Open(path, NullLogger.Instance);
        using (var c = db.OpenConnection())
        {
            Exec(c, "INSERT INTO meta (key, value) VALUES ('k', 'v');");
        }

        // A step that fails if it ever runs again proves the first two are skipped.
        var reopened = NodeDatabase.Open(path, NullLogger.Instance, [.. Migrations.All, new Migration(Migrations.Latest + 1, "probe", "CREATE TABLE probe (x INTEGER);")]);
        var again = NodeDatabase.Open(path, NullLogger.Instance, [.. Migrations.All, new Migration(Migrations.Latest + 1, "probe", "CREATE TABLE probe (x INTEGER);")]);

        reopened.SchemaVersion.Should().Be(Migrations.Latest + 1);
        again.SchemaVersion.Should().Be(Migrations.Latest + 1);
        using var c2 = again.OpenConnection();
        Scalar(c2, "SELECT value FROM meta WHERE key = 'k';").Should().Be("v");
    }

    [Fact]
    public void Open_FailingMigration_RollsBack_VersionUnchanged()
    {
        using var dir = new TempDir();
        var path = dir.Sub("openred.db");
        NodeDatabase.Open(path, NullLogger.Instance);

        var act = () => NodeDatabase.Open(path, NullLogger.Instance, [.. Migrations.All, new Migration(Migrations.Latest + 1, "bad", "CREATE TABLE t (x); SELECT * FROM nowhere;")]);

        act.Should().Throw<StorageException>().Where(e => e.Failure == StorageFailure.Database && e.Message.Contains(path, StringComparison.Ordinal));
        var db = NodeDatabase.Open(path, NullLogger.Instance);
        db.SchemaVersion.Should().Be(Migrations.Latest);
        using var c = db.OpenConnection();
        Scalar(c, "SELECT count(*) FROM sqlite_master WHERE name = 't';").Should().Be("0");
    }

    [Fact]
    public void Open_NewerSchema_Refuses()
    {
        using var dir = new TempDir();
        var path = dir.Sub("openred.db");
        NodeDatabase.Open(path, NullLogger.Instance, [.. Migrations.All, new Migration(99, "future", "SELECT 1;")]);

        var act = () => NodeDatabase.Open(path, NullLogger.Instance);

        act.Should().Throw<StorageException>().WithMessage("*newer*");
    }

    [Fact]
    public void Open_NotADatabase_ThrowsStorageExceptionNamingFile()
    {
        using var dir = new TempDir();
        var path = dir.Sub("openred.db");
        File.WriteAllText(path, new string('x', 4096));

        var act = () => NodeDatabase.Open(path, NullLogger.Instance);

        act.Should().Throw<StorageException>().Where(e => e.Failure == StorageFailure.Database && e.Message.Contains(path, StringComparison.Ordinal));
    }

    [Fact]
    public void Migrations_AreStrictlyIncreasingFromOne()
    {
        Migrations.All.Select(m => m.Version).Should().Equal(Enumerable.Range(1, Migrations.All.Count));
    }

    private static string? Scalar(Microsoft.Data.Sqlite.SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Exec(Microsoft.Data.Sqlite.SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
