using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace OpenRed.Cli.Web;

/// <summary>
/// The dashboard's secret: 32 random bytes, base64url, kept in <c>&lt;data-dir&gt;/web-token</c> (mode 0600) so that
/// a browser tab opened from the printed link keeps working after the node restarts. The CSRF value is derived from
/// it, so a page's CSRF value also survives a restart, yet cannot be guessed without the token.
/// </summary>
internal sealed class WebToken
{
    public const string FileName = "web-token";

    private const int TokenBytes = 32;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly byte[] _token;
    private readonly byte[] _csrf;

    private WebToken(string value)
    {
        Value = value;
        _token = Encoding.ASCII.GetBytes(value);
        Csrf = Base64Url.EncodeToString(HMACSHA256.HashData(_token, "openred dashboard csrf"u8));
        _csrf = Encoding.ASCII.GetBytes(Csrf);
    }

    public string Value { get; }

    /// <summary>What state-changing requests carry in <c>X-OpenRed-CSRF</c>; given to the page by GET /v1/web/session.</summary>
    public string Csrf { get; }

    /// <summary>The token kept in <paramref name="dataDirectory"/>, or a new one written there (owner-only) when none is valid.</summary>
    /// <param name="renew">True with <c>--new-web-token</c>: the old token, and every tab opened with it, stop working.</param>
    /// <exception cref="WebListenerException">The file cannot be read or written.</exception>
    public static WebToken LoadOrCreate(string dataDirectory, bool renew = false)
    {
        var path = Path.Combine(dataDirectory, FileName);
        try
        {
            if (!renew && File.Exists(path))
            {
                var kept = File.ReadAllText(path).Trim();
                if (IsWellFormed(kept))
                {
                    if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(path) != OwnerOnly)
                    {
                        File.SetUnixFileMode(path, OwnerOnly);
                    }

                    return new WebToken(kept);
                }
            }

            var token = new WebToken(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes)));
            Write(path, token.Value);
            return token;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WebListenerException($"cannot keep the dashboard token in {path}: {e.Message}", e);
        }
    }

    public bool Matches(string? candidate) => candidate is not null && FixedTimeEquals(_token, candidate);

    public bool CsrfMatches(string? candidate) => candidate is not null && FixedTimeEquals(_csrf, candidate);

    private static bool FixedTimeEquals(byte[] expected, string candidate) =>
        candidate.Length == expected.Length && CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(candidate));

    private static bool IsWellFormed(string text) =>
        text.Length == Base64Url.GetEncodedLength(TokenBytes) && Base64Url.IsValid(text, out var decoded) && decoded == TokenBytes;

    // Written beside and renamed over, created owner-only: never a moment where another user can read it.
    private static void Write(string path, string value)
    {
        var temporary = path + ".new";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using (var file = new FileStream(temporary, options))
        {
            file.Write(Encoding.ASCII.GetBytes(value + "\n"));
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
