using System.Runtime.Versioning;
using OpenRed.Core.Storage;
using OpenRed.Core.Storage.Internal;

namespace OpenRed.Core.Tests.Storage;

[UnsupportedOSPlatform("windows")]
public sealed class DataDirectorySafetyTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Theory]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.GroupExecute, "0750")]
    [InlineData(UnixFileMode.OtherRead | UnixFileMode.OtherExecute, "0705")]
    [InlineData(UnixFileMode.GroupWrite, "0720")]
    public void Create_ExistingDirectoryOpenToOthers_ThrowsNamingDirectoryAndChmod_ModeUnchanged(UnixFileMode extra, string shown)
    {
        using var tmp = new TempDir();
        var path = tmp.Sub("n");
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, OwnerOnly | extra);
        var dir = new DataDirectory(path);

        var act = dir.Create;

        act.Should().Throw<StorageException>().Where(e =>
            e.Failure == StorageFailure.DataDirectory
            && e.Message.Contains($"(mode {shown})", StringComparison.Ordinal)
            && e.Message.Contains($"chmod 700 {dir.Root}", StringComparison.Ordinal));
        File.GetUnixFileMode(path).Should().Be(OwnerOnly | extra);
    }

    [Fact]
    public void Create_ExistingOwnerOnlyDirectory_Accepted()
    {
        using var tmp = new TempDir();
        var path = Directory.CreateDirectory(tmp.Sub("n"), OwnerOnly).FullName;

        var act = new DataDirectory(path).Create;

        act.Should().NotThrow();
    }

    [Fact]
    public void UnixOwner_OfOwnDirectory_IsThisProcess()
    {
        using var tmp = new TempDir();

        UnixOwner.OwnerOf(tmp.Path).Should().Be(UnixOwner.EffectiveUserId());
        if (OperatingSystem.IsLinux())
        {
            UnixOwner.EffectiveUserId().Should().NotBeNull();
            UnixOwner.OwnerOf("/").Should().NotBeNull();
        }
    }

    [Fact]
    public void CheckContents_MissingKeyBesideDatabase_ThrowsIdentityMissingNamingKeyAndFlag()
    {
        using var tmp = new TempDir();
        var dir = DirectoryWith(tmp, key: false, databaseBytes: 4096);

        var act = () => dir.CheckContents(acceptNewIdentity: false);

        act.Should().Throw<StorageException>().Where(e =>
            e.Failure == StorageFailure.IdentityMissing
            && e.Message.Contains(dir.KeyFile, StringComparison.Ordinal)
            && e.Message.Contains("--new-identity", StringComparison.Ordinal));
    }

    [Fact]
    public void CheckContents_MissingKeyBesideDatabase_AcceptNewIdentity_Passes()
    {
        using var tmp = new TempDir();
        var dir = DirectoryWith(tmp, key: false, databaseBytes: 4096);

        var act = () => dir.CheckContents(acceptNewIdentity: true);

        act.Should().NotThrow();
    }

    [Fact]
    public void CheckContents_EmptyDatabaseBesideKey_ThrowsEmptyDatabaseNamingFile_FileKept()
    {
        using var tmp = new TempDir();
        var dir = DirectoryWith(tmp, key: true, databaseBytes: 0);

        var act = () => dir.CheckContents(acceptNewIdentity: true);

        act.Should().Throw<StorageException>().Where(e =>
            e.Failure == StorageFailure.EmptyDatabase && e.Message.Contains(dir.Database, StringComparison.Ordinal));
        File.Exists(dir.Database).Should().BeTrue();
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(false, 0L)]
    [InlineData(true, null)]
    [InlineData(true, 4096L)]
    public void CheckContents_NewDirectoryOrComplete_Passes(bool key, long? databaseBytes)
    {
        using var tmp = new TempDir();
        var dir = DirectoryWith(tmp, key, databaseBytes);

        var act = () => dir.CheckContents(acceptNewIdentity: false);

        act.Should().NotThrow();
    }

    private static DataDirectory DirectoryWith(TempDir tmp, bool key, long? databaseBytes)
    {
        var dir = new DataDirectory(tmp.Sub("n"));
        dir.Create();
        if (key)
        {
            File.WriteAllText(dir.KeyFile, "key");
        }

        if (databaseBytes is { } n)
        {
            File.WriteAllBytes(dir.Database, new byte[n]);
        }

        return dir;
    }
}
