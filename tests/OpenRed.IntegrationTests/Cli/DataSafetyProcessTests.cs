using System.Runtime.Versioning;
using Microsoft.Data.Sqlite;

namespace OpenRed.IntegrationTests.Cli;

/// <summary>Issue 10 (silent loss of data, the forgotten name) and issue 9 (key file and directory modes), end to end.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class DataSafetyProcessTests
{
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public async Task EmptyDatabase_BesideKey_Exit1_OneLineNamingIt_FileUnchanged()
    {
        using var dir = new TempDirectory();
        var data = dir.Sub("n");
        (await Run(data, "status\n")).ExitCode.Should().Be(0);
        var db = Path.Combine(data, "openred.db");
        await File.WriteAllBytesAsync(db, []);

        var run = await Run(data, "status\n");

        run.ExitCode.Should().Be(1, run.ToString());
        run.StderrLines.Should().ContainSingle(run.ToString()).Which.Should().StartWith("openred: ").And.Contain(db).And.Contain("empty");
        run.StdoutLines.Should().BeEmpty();
        new FileInfo(db).Length.Should().Be(0);
    }

    [Fact]
    public async Task MissingKey_BesideDatabase_Exit1_NamesKeyAndFlag_NothingCreated()
    {
        using var dir = new TempDirectory();
        var data = dir.Sub("n");
        (await Run(data, "status\n")).ExitCode.Should().Be(0);
        var key = Path.Combine(data, "identity.pem");
        File.Delete(key);

        var run = await Run(data, "status\n");

        run.ExitCode.Should().Be(1, run.ToString());
        run.StderrLines.Should().ContainSingle(run.ToString()).Which.Should().StartWith("openred: ").And.Contain(key).And.Contain("--new-identity");
        File.Exists(key).Should().BeFalse();
    }

    [Fact]
    public async Task MissingKey_WithNewIdentity_StartsWithNewFingerprint_KeepsDatabase()
    {
        using var dir = new TempDirectory();
        var data = dir.Sub("n");
        var first = await Run(data, "status --json\n", "--node-id", "alice");
        File.Delete(Path.Combine(data, "identity.pem"));

        var run = await Run(data, "status --json\n", "--new-identity");

        run.ExitCode.Should().Be(0, run.ToString());
        Json(run, "fingerprint").Should().NotBe(Json(first, "fingerprint"));
        Json(run, "node_id").Should().Be("alice", "the database, where the name is kept, was not replaced");
        File.GetUnixFileMode(Path.Combine(data, "identity.pem")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task CorruptPage_Exit1_OneLineNamingDatabase_FileUnchanged()
    {
        using var dir = new TempDirectory();
        var data = dir.Sub("n");
        (await Run(data, "status\n")).ExitCode.Should().Be(0);
        var db = Path.Combine(data, "openred.db");
        CorruptLinksPage(db);
        var before = await File.ReadAllBytesAsync(db);

        var run = await Run(data, "status\nlinks\n");

        run.ExitCode.Should().Be(1, run.ToString());
        run.StderrLines.Should().ContainSingle(run.ToString()).Which.Should().StartWith("openred: ").And.Contain(db).And.Contain("damaged");
        run.StdoutLines.Should().BeEmpty();
        (await File.ReadAllBytesAsync(db)).Should().Equal(before);
    }

    [Fact]
    public async Task CommandFailingOnDatabase_PrintsOneLine()
    {
        using var dir = new TempDirectory();
        var data = dir.Sub("n");
        (await Run(data, "status\n")).ExitCode.Should().Be(0);
        await using var node = await OpenRedProcess.StartNodeAsync(data);
        // Damage after the start-up check: a new connection reads the page from the file.
        CorruptLinksPage(Path.Combine(data, "openred.db"));

        await node.WriteLineAsync("links");
        // A log line about the failure would be written before the command's own line, so it is in by now.
        await node.WaitForStderrAsync(l => l.StartsWith("openred: links: ", StringComparison.Ordinal));

        node.StderrLines.Should().ContainSingle(node.Describe()).Which.Should().StartWith("openred: links: ");
    }

    [Fact]
    public async Task NodeIdAndSector_RememberedAcrossRestart_FlagsOverrideAndAreRemembered()
    {
        using var dir = new TempDirectory();
        var data = dir.Sub("n");

        var first = await Run(data, "status --json\n", "--node-id", "alice", "--sector", "family");
        var bare = await Run(data, "status --json\n");
        var renamed = await Run(data, "status --json\n", "--node-id", "alicia");
        var afterRename = await Run(data, "status --json\n");
        var moved = await Run(data, "status --json\n", "--sector", "work");
        var afterMove = await Run(data, "status --json\n");

        (Json(first, "node_id"), Json(first, "sector")).Should().Be(("alice", "family"));
        (Json(bare, "node_id"), Json(bare, "sector")).Should().Be(("alice", "family"), bare.ToString());
        (Json(renamed, "node_id"), Json(renamed, "sector")).Should().Be(("alicia", "family"));
        (Json(afterRename, "node_id"), Json(afterRename, "sector")).Should().Be(("alicia", "family"));
        (Json(moved, "node_id"), Json(moved, "sector")).Should().Be(("alicia", "work"));
        (Json(afterMove, "node_id"), Json(afterMove, "sector")).Should().Be(("alicia", "work"));
    }

    [Fact]
    public async Task GroupReadableKey_Exit1_NamesFileAndFix_ModeUnchanged()
    {
        using var dir = new TempDirectory();
        var data = dir.Sub("n");
        (await Run(data, "status\n")).ExitCode.Should().Be(0);
        var key = Path.Combine(data, "identity.pem");
        var groupReadable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(key, groupReadable);

        var run = await Run(data, "status\n");

        run.ExitCode.Should().Be(1, run.ToString());
        run.StderrLines.Should().ContainSingle(run.ToString()).Which.Should().Contain(key).And.Contain($"chmod 600 {key}");
        File.GetUnixFileMode(key).Should().Be(groupReadable);
    }

    [Fact]
    public async Task DataDirectoryOpenToOthers_Exit1_NamesDirectoryAndFix()
    {
        using var dir = new TempDirectory();
        var data = Directory.CreateDirectory(dir.Sub("n"), OwnerOnlyDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute).FullName;

        var run = await Run(data, "status\n");

        run.ExitCode.Should().Be(1, run.ToString());
        run.StderrLines.Should().ContainSingle(run.ToString()).Which.Should().Contain($"chmod 700 {data}");
        Directory.EnumerateFileSystemEntries(data).Should().BeEmpty();
    }

    [Fact]
    public async Task StaleKeyTempFile_NewKeyIsOwnerOnly()
    {
        using var dir = new TempDirectory();
        var data = dir.CreateSub("n");
        var tmp = Path.Combine(data, "identity.pem.tmp");
        await File.WriteAllTextAsync(tmp, "stale");
        File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var run = await Run(data, "status\n");

        run.ExitCode.Should().Be(0, run.ToString());
        File.GetUnixFileMode(Path.Combine(data, "identity.pem")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Exists(tmp).Should().BeFalse();
    }

    [Fact]
    public async Task CleanQuit_LeavesNoWalOrShm()
    {
        using var dir = new TempDirectory();
        var data = dir.Sub("n");
        await using var node = await OpenRedProcess.StartNodeAsync(data, "--node-id", "alice");
        File.Exists(Path.Combine(data, "openred.db-wal")).Should().BeTrue("a running node keeps the database in WAL mode");

        await node.WriteLineAsync("quit");
        var code = await node.WaitForExitAsync();

        code.Should().Be(0, node.Describe());
        Directory.EnumerateFiles(data, "openred.db*").Select(Path.GetFileName).Should().Equal("openred.db");
    }

    private static Task<OpenRedRun> Run(string data, string stdin, params string[] extra) =>
        OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", data, .. extra], stdin);

    private static string Json(OpenRedRun run, string field)
    {
        var line = run.StdoutLines.Single(l => l.StartsWith('{'));
        using var doc = System.Text.Json.JsonDocument.Parse(line);
        return doc.RootElement.GetProperty(field).GetString()!;
    }

    /// <summary>Overwrites the links table's root page with bytes that are no b-tree page: what a bad disk sector leaves.</summary>
    private static void CorruptLinksPage(string db)
    {
        long page;
        long pageSize;
        using (var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString()))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT rootpage FROM sqlite_master WHERE name = 'links';";
            page = (long)cmd.ExecuteScalar()!;
            cmd.CommandText = "PRAGMA page_size;";
            pageSize = (long)cmd.ExecuteScalar()!;
        }

        using var f = new FileStream(db, FileMode.Open, FileAccess.Write);
        f.Position = (page - 1) * pageSize;
        f.Write(Enumerable.Repeat((byte)0xA5, (int)pageSize).ToArray());
    }
}
