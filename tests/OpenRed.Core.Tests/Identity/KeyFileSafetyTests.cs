using System.Runtime.Versioning;
using OpenRed.Core.Identity;
using OpenRed.Core.Tests.Storage;

namespace OpenRed.Core.Tests.Identity;

[UnsupportedOSPlatform("windows")]
public sealed class KeyFileSafetyTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Theory]
    [InlineData(UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.OtherRead, "0604")]
    [InlineData(UnixFileMode.GroupWrite, "0620")]
    public void Load_KeyOpenToOthers_ThrowsNamingFileAndChmod_FileUnchanged(UnixFileMode extra, string shown)
    {
        using var dir = new TempDir();
        var path = dir.Sub(KeyFile.FileName);
        KeyFile.LoadOrCreate(path).Dispose();
        File.SetUnixFileMode(path, OwnerOnly | extra);
        var bytes = File.ReadAllBytes(path);

        var act = () => KeyFile.LoadOrCreate(path);

        act.Should().Throw<IdentityFileException>().Where(e =>
            e.Path == path
            && e.Message.Contains($"(mode {shown})", StringComparison.Ordinal)
            && e.Message.Contains($"chmod 600 {path}", StringComparison.Ordinal));
        File.GetUnixFileMode(path).Should().Be(OwnerOnly | extra);
        File.ReadAllBytes(path).Should().Equal(bytes);
    }

    [Fact]
    public void LoadOrCreate_StaleTempFileWithOpenMode_NewKeyIsOwnerOnly()
    {
        using var dir = new TempDir();
        var path = dir.Sub(KeyFile.FileName);
        File.WriteAllText(path + ".tmp", "left by a crash");
        File.SetUnixFileMode(path + ".tmp", OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using var id = KeyFile.LoadOrCreate(path);

        File.GetUnixFileMode(path).Should().Be(OwnerOnly);
        File.Exists(path + ".tmp").Should().BeFalse();
    }

    [Fact]
    public void LoadOrCreate_TempFileIsSymlink_TargetUntouched_KeyIsOwnerOnly()
    {
        using var dir = new TempDir();
        var path = dir.Sub(KeyFile.FileName);
        var target = dir.Sub("elsewhere");
        File.WriteAllText(target, "someone else's file");
        File.SetUnixFileMode(target, OwnerOnly | UnixFileMode.OtherRead);
        File.CreateSymbolicLink(path + ".tmp", target);

        using var id = KeyFile.LoadOrCreate(path);

        File.ReadAllText(target).Should().Be("someone else's file");
        File.GetUnixFileMode(path).Should().Be(OwnerOnly);
        new FileInfo(path).LinkTarget.Should().BeNull();
    }

    [Fact]
    public void LoadOrCreate_DanglingSymlinkAsTempFile_NothingCreatedAtItsTarget()
    {
        using var dir = new TempDir();
        var path = dir.Sub(KeyFile.FileName);
        var target = dir.Sub("planted");
        File.CreateSymbolicLink(path + ".tmp", target);

        using var id = KeyFile.LoadOrCreate(path);

        File.Exists(target).Should().BeFalse();
        File.GetUnixFileMode(path).Should().Be(OwnerOnly);
    }
}
