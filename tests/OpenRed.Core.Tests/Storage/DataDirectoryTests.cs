using OpenRed.Core.Storage;

namespace OpenRed.Core.Tests.Storage;

public sealed class DataDirectoryTests
{
    [Fact]
    public void Lock_SecondAcquire_ThrowsLockedNamingDirectory_ReleasedOnDispose()
    {
        using var tmp = new TempDir();
        var dir = new DataDirectory(tmp.Sub("n"));
        dir.Create();

        var first = DataDirectoryLock.Acquire(dir);
        var act = () => DataDirectoryLock.Acquire(dir);

        act.Should().Throw<StorageException>()
            .Where(e => e.Failure == StorageFailure.Locked && e.Message.Contains(dir.Root, StringComparison.Ordinal));
        first.Dispose();
        using var again = DataDirectoryLock.Acquire(dir);
    }

    [Fact]
    public void Create_MakesOwnerOnlyDirectory_Idempotent()
    {
        using var tmp = new TempDir();
        var dir = new DataDirectory(tmp.Sub("a/b"));

        dir.Create();
        dir.Create();

        Directory.Exists(dir.Root).Should().BeTrue();
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(dir.Root).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void Create_PathIsFile_ThrowsDataDirectory()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.Sub("f"), "x");

        var act = () => new DataDirectory(tmp.Sub("f")).Create();

        act.Should().Throw<StorageException>().Where(e => e.Failure == StorageFailure.DataDirectory);
    }

    [Theory]
    [InlineData("/xdg", "/home/u", "/xdg/openred/alice")]
    [InlineData(null, "/home/u", "/home/u/.local/share/openred/alice")]
    [InlineData("relative", "/home/u", "/home/u/.local/share/openred/alice")]
    public void DefaultFor_FollowsXdg(string? xdg, string home, string expected)
    {
        var env = new Dictionary<string, string?> { ["XDG_DATA_HOME"] = xdg, ["HOME"] = home };

        DataDirectory.DefaultFor("alice", k => env.GetValueOrDefault(k)).Should().Be(expected);
    }
}
