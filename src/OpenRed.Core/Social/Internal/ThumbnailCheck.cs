using SkiaSharp;

namespace OpenRed.Core.Social.Internal;

/// <summary>
/// Checks a thumbnail that came from a peer before it is kept (section 9): its declared type, its size, its header
/// (format and dimensions within the limits), and one full decode, so that nothing shown later can fail or surprise.
/// </summary>
internal static class ThumbnailCheck
{
    public static IReadOnlyList<string> MediaTypes { get; } = ["image/jpeg", "image/png", "image/webp"];

    /// <summary>Null when the thumbnail may be kept, else why not (for the log and the counters).</summary>
    public static string? Problem(ReadOnlySpan<byte> bytes, string mediaType, SocialOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (bytes.Length == 0)
        {
            return "empty";
        }

        if (bytes.Length > options.MaxThumbnailBytes)
        {
            return $"{bytes.Length} bytes, over {options.MaxThumbnailBytes}";
        }

        var expected = mediaType switch
        {
            "image/jpeg" => SKEncodedImageFormat.Jpeg,
            "image/png" => SKEncodedImageFormat.Png,
            "image/webp" => SKEncodedImageFormat.Webp,
            _ => (SKEncodedImageFormat?)null,
        };
        if (expected is null)
        {
            return "type not JPEG, PNG or WebP";
        }

        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            return "not an image";
        }

        if (codec.EncodedFormat != expected)
        {
            return $"declared {mediaType} but is {codec.EncodedFormat}";
        }

        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0 || info.Width > options.MaxThumbnailSide || info.Height > options.MaxThumbnailSide)
        {
            return $"{info.Width}×{info.Height} pixels, over {options.MaxThumbnailSide}×{options.MaxThumbnailSide}";
        }

        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(target);
        var result = codec.GetPixels(target, bitmap.GetPixels());
        return result == SKCodecResult.Success ? null : $"does not decode ({result})";
    }

    /// <summary>The dimensions in the header of a thumbnail that passed <see cref="Problem"/>.</summary>
    public static (int Width, int Height) Size(ReadOnlySpan<byte> bytes)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        return codec is null ? (0, 0) : (codec.Info.Width, codec.Info.Height);
    }
}
