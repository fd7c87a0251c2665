using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core.Storage;

namespace OpenRed.Core.Tests.Storage;

public sealed class NodeDatabaseSafetyTests
{
    [Fact]
    public void Open_DamagedPage_ThrowsCorruptDatabaseNamingFile_FileUnchanged()
    {
        using var dir = new TempDir();
        var path = dir.Sub("openred.db");
        NodeDatabase.Open(path, NullLogger.Instance).Dispose();
        DamageLinksPage(path);
        var before = File.ReadAllBytes(path);

        var act = () => NodeDatabase.Open(path, NullLogger.Instance);

        act.Should().Throw<StorageException>().Where(e =>
            e.Failure == StorageFailure.CorruptDatabase
            && e.Message.Contains(path, StringComparison.Ordinal)
            && !e.Message.Contains('\n', StringComparison.Ordinal));
        File.ReadAllBytes(path).Should().Equal(before);
    }

    [Fact]
    public void Dispose_RemovesWalAndShm()
    {
        using var dir = new TempDir();
        var path = dir.Sub("openred.db");
        var db = NodeDatabase.Open(path, NullLogger.Instance);
        db.SetMeta("k", "v");
        File.Exists(path + "-wal").Should().BeTrue();

        db.Dispose();
        db.Dispose();

        File.Exists(path + "-wal").Should().BeFalse();
        File.Exists(path + "-shm").Should().BeFalse();
    }

    [Fact]
    public void Dispose_WhileAnotherConnectionIsOpen_CheckpointsEverything()
    {
        using var dir = new TempDir();
        var path = dir.Sub("openred.db");
        var db = NodeDatabase.Open(path, NullLogger.Instance);
        db.SetMeta("k", "v");
        var straggler = db.OpenConnection();

        db.Dispose();

        new FileInfo(path + "-wal").Length.Should().Be(0, "the WAL was checkpointed into the main file");
        straggler.Dispose();
        File.Exists(path + "-wal").Should().BeFalse();
    }

    [Fact]
    public void Meta_SetThenGet_ReplacesValue_MissingIsNull()
    {
        using var dir = new TempDir();
        using var db = NodeDatabase.Open(dir.Sub("openred.db"), NullLogger.Instance);

        db.GetMeta("k").Should().BeNull();
        db.SetMeta("k", "one");
        db.SetMeta("k", "two");

        db.GetMeta("k").Should().Be("two");
    }

    internal static void DamageLinksPage(string path)
    {
        long page;
        long pageSize;
        using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT rootpage FROM sqlite_master WHERE name = 'links';";
            page = (long)cmd.ExecuteScalar()!;
            cmd.CommandText = "PRAGMA page_size;";
            pageSize = (long)cmd.ExecuteScalar()!;
        }

        using var f = new FileStream(path, FileMode.Open, FileAccess.Write);
        f.Position = (page - 1) * pageSize;
        f.Write(Enumerable.Repeat((byte)0xA5, (int)pageSize).ToArray());
    }
}
