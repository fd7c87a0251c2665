using System.Security.Cryptography;
using System.Text;

namespace OpenRed.Core.Identity;

/// <summary>The identity key file: created once with mode 0600, never overwritten.</summary>
public static class KeyFile
{
    public const string FileName = "identity.pem";
    private const int MaxPemBytes = 16 * 1024;

    public static NodeIdentity LoadOrCreate(string path)
    {
        if (File.Exists(path) || Directory.Exists(path))
        {
            return Load(path);
        }

        var identity = NodeIdentity.Generate();
        var tmp = path + ".tmp";
        var pem = identity.ToPem();
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var bytes = Encoding.ASCII.GetBytes(pem);
        try
        {
            using (var fs = new FileStream(tmp, options))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }

            // A new file never replaces an existing one, even if one appeared meanwhile.
            File.Move(tmp, path, overwrite: false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
            if (File.Exists(tmp))
            {
                File.Delete(tmp);
            }
        }

        return identity;
    }

    public static NodeIdentity Load(string path)
    {
        if (Directory.Exists(path))
        {
            throw new IdentityFileException(path, "is a directory, not a key file");
        }

        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxPemBytes)
            {
                throw new IdentityFileException(path, "is too large to be a PEM key");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IdentityFileException(path, $"cannot be read ({e.Message})");
        }

        try
        {
            var pem = Encoding.ASCII.GetString(bytes);
            if (pem.Contains("-----BEGIN RSA PRIVATE KEY-----", StringComparison.Ordinal)
                || pem.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal))
            {
                throw new IdentityFileException(path, "is not an unencrypted PKCS#8 key (\"BEGIN PRIVATE KEY\"), the only form openred reads");
            }

            if (!pem.Contains("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal))
            {
                throw new IdentityFileException(path, "is not a PEM private key");
            }

            return NodeIdentity.FromPem(pem);
        }
        catch (ArgumentException e)
        {
            throw new IdentityFileException(path, e.Message);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
