using System.Security.Cryptography;
using System.Text;
using OpenRed.Core.Storage.Internal;

namespace OpenRed.Core.Identity;

/// <summary>The identity key file: created once with mode 0600, never overwritten.</summary>
public static class KeyFile
{
    public const string FileName = "identity.pem";
    private const int MaxPemBytes = 16 * 1024;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Loads the key at <paramref name="path"/>, or creates one (0600, exclusively) if there is none.</summary>
    /// <exception cref="IdentityFileException">The file is unusable or open to other users; it is left as it is.</exception>
    public static NodeIdentity LoadOrCreate(string path)
    {
        if (File.Exists(path) || Directory.Exists(path))
        {
            return Load(path);
        }

        var identity = NodeIdentity.Generate();
        try
        {
            Create(path, identity);
        }
        catch
        {
            identity.Dispose();
            throw;
        }

        return identity;
    }

    /// <summary>
    /// Loads the key at <paramref name="path"/>. On Unix a key that the group or others may read or write is refused,
    /// as ssh does: a private key that others could have copied is no longer this node's alone.
    /// </summary>
    /// <exception cref="IdentityFileException">Missing, unreadable, not an RSA-2048 PKCS#8 PEM, or open to other users.</exception>
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

            var identity = NodeIdentity.FromPem(pem);
            if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(path) is var mode && (mode & GroupOrOthers) != 0)
            {
                identity.Dispose();
                throw new IdentityFileException(path, $"can be read or changed by other users (mode {FileModes.Octal(mode)}); run: chmod 600 {path}");
            }

            return identity;
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

    private static void Create(string path, NodeIdentity identity)
    {
        var tmp = path + ".tmp";
        // CreateNew is O_CREAT|O_EXCL: it never opens an existing file (whose mode would be kept) and never follows
        // a symlink, so the key is born 0600 or not at all.
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var bytes = Encoding.ASCII.GetBytes(identity.ToPem());
        var created = false;
        try
        {
            // A temporary file left by a crash is ours and never the key in use; the exclusive create below must
            // not meet it. Delete removes a symlink itself, never its target.
            if (File.Exists(tmp) || new FileInfo(tmp).LinkTarget is not null)
            {
                File.Delete(tmp);
            }

            using (var fs = new FileStream(tmp, options))
            {
                created = true;
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }

            // A new file never replaces an existing one, even if one appeared meanwhile.
            File.Move(tmp, path, overwrite: false);
            created = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IdentityFileException(path, $"cannot be created ({e.Message})");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
            if (created)
            {
                File.Delete(tmp);
            }
        }
    }
}
