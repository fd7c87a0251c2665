namespace OpenRed.Core.Phoenix;

/// <summary>Media types of records: the check of section 8 and a guess from a file's extension.</summary>
public static class MediaTypes
{
    public const int MaxLength = 128;
    public const string Default = "application/octet-stream";

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".png"] = "image/png", [".gif"] = "image/gif",
        [".webp"] = "image/webp", [".svg"] = "image/svg+xml", [".txt"] = "text/plain", [".md"] = "text/markdown",
        [".html"] = "text/html", [".htm"] = "text/html", [".css"] = "text/css", [".csv"] = "text/csv",
        [".json"] = "application/json", [".xml"] = "application/xml", [".pdf"] = "application/pdf",
        [".zip"] = "application/zip", [".gz"] = "application/gzip", [".tar"] = "application/x-tar",
        [".mp3"] = "audio/mpeg", [".ogg"] = "audio/ogg", [".wav"] = "audio/wav", [".mp4"] = "video/mp4",
        [".webm"] = "video/webm", [".bin"] = Default,
    };

    /// <summary>The type for a file name's extension; <see cref="Default"/> when unknown.</summary>
    public static string Guess(string path) =>
        ByExtension.TryGetValue(Path.GetExtension(path), out var type) ? type : Default;

    /// <summary>The extension a resurrected file gets for a media type (empty when unknown).</summary>
    public static string Extension(string mediaType)
    {
        var bare = mediaType.Split(';')[0].Trim();
        return bare switch
        {
            "image/jpeg" => ".jpg",
            Default => ".bin",
            _ => ByExtension.FirstOrDefault(p => string.Equals(p.Value, bare, StringComparison.OrdinalIgnoreCase)).Key ?? "",
        };
    }

    /// <summary><c>type/subtype</c> (parameters allowed), at most 128 printable ASCII characters.</summary>
    public static bool IsValid(string? mediaType)
    {
        if (string.IsNullOrEmpty(mediaType) || mediaType.Length > MaxLength || mediaType.Any(c => c is < ' ' or > '~'))
        {
            return false;
        }

        var slash = mediaType.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < mediaType.Length - 1 && !mediaType.AsSpan(0, slash).Contains(' ')
            && mediaType[slash + 1] != ' ';
    }
}
