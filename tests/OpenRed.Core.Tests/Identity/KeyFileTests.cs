using System.Security.Cryptography;
using OpenRed.Core.Identity;
using OpenRed.Core.Tests.Storage;

namespace OpenRed.Core.Tests.Identity;

public sealed class KeyFileTests
{
    [Fact]
    public void LoadOrCreate_NoFile_CreatesPkcs8PemWithMode0600()
    {
        using var dir = new TempDir();
        var path = dir.Sub(KeyFile.FileName);

        using var id = KeyFile.LoadOrCreate(path);

        var pem = File.ReadAllText(path);
        pem.Should().StartWith("-----BEGIN PRIVATE KEY-----");
        id.Key.KeySize.Should().Be(2048);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Exists(path + ".tmp").Should().BeFalse();
    }

    [Fact]
    public void LoadOrCreate_Twice_ReusesKey_SameFingerprint()
    {
        using var dir = new TempDir();
        var path = dir.Sub(KeyFile.FileName);

        using var first = KeyFile.LoadOrCreate(path);
        var bytes = File.ReadAllBytes(path);
        using var second = KeyFile.LoadOrCreate(path);

        second.Fingerprint.Should().Be(first.Fingerprint);
        second.Fingerprint.Should().Be(Fingerprint.Of(first.Spki));
        File.ReadAllBytes(path).Should().Equal(bytes);
    }

    [Fact]
    public void LoadOrCreate_VectorKey_GivesSpecFingerprint()
    {
        using var dir = new TempDir();
        var path = dir.Sub(KeyFile.FileName);
        File.Copy(TestData.Path("vectors/initiator.pem"), path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        using var id = KeyFile.LoadOrCreate(path);

        id.Fingerprint.Should().Be(Fingerprint.Of(id.Spki));
        id.Fingerprint.Hex.Should().MatchRegex("^[0-9a-f]{64}$");
    }

    public static TheoryData<string, string> BadKeys()
    {
        using var rsa1024 = RSA.Create(1024);
        using var rsa2048 = RSA.Create(2048);
        using var ec = ECDsa.Create();
        return new TheoryData<string, string>
        {
            { "garbage", "not a PEM private key" },
            { "", "not a PEM private key" },
            { "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "not a PEM RSA private key" },
            { rsa1024.ExportPkcs8PrivateKeyPem(), "RSA-1024" },
            { ec.ExportPkcs8PrivateKeyPem(), "not a PEM RSA private key" },
            { rsa2048.ExportRSAPrivateKeyPem(), "PKCS#8" },
        };
    }

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void LoadOrCreate_CorruptOrForeignKey_ThrowsWithPath_NeverOverwrites(string content, string reason)
    {
        using var dir = new TempDir();
        var path = dir.Sub(KeyFile.FileName);
        File.WriteAllText(path, content);

        var act = () => KeyFile.LoadOrCreate(path);

        act.Should().Throw<IdentityFileException>()
            .Where(e => e.Path == path && e.Message.Contains(path, StringComparison.Ordinal) && e.Message.Contains(reason, StringComparison.Ordinal));
        File.ReadAllText(path).Should().Be(content);
    }

    [Fact]
    public void LoadOrCreate_PathIsDirectory_Throws()
    {
        using var dir = new TempDir();
        var path = Directory.CreateDirectory(dir.Sub(KeyFile.FileName)).FullName;

        var act = () => KeyFile.LoadOrCreate(path);

        act.Should().Throw<IdentityFileException>().Which.Path.Should().Be(path);
        Directory.Exists(path).Should().BeTrue();
    }

    [Fact]
    public void Load_Missing_ThrowsWithPath()
    {
        using var dir = new TempDir();
        var path = dir.Sub("missing.pem");

        var act = () => KeyFile.Load(path);

        act.Should().Throw<IdentityFileException>().Which.Path.Should().Be(path);
    }

    [Fact]
    public void Load_TooLarge_Throws()
    {
        using var dir = new TempDir();
        var path = dir.Sub(KeyFile.FileName);
        File.WriteAllText(path, new string('A', 20_000));

        var act = () => KeyFile.Load(path);

        act.Should().Throw<IdentityFileException>().WithMessage("*too large*");
    }
}
