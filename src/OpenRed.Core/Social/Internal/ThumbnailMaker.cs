using SkiaSharp;

namespace OpenRed.Core.Social.Internal;

/// <summary>
/// Makes a profile thumbnail from a photo (section 9): the header is read first and an image over the pixel budget is
/// refused before any decoding; the photo is decoded scaled down where the format allows, turned upright by its
/// EXIF orientation, cropped to a centred square, scaled to the thumbnail side and re-encoded under the byte limit.
/// Nothing of the original's metadata (EXIF, GPS, ICC) is copied: the encoder writes only pixels.
/// </summary>
internal static class ThumbnailMaker
{
    private static readonly int[] Qualities = [85, 75, 65, 55, 45, 35, 25];

    /// <exception cref="ThumbnailException">Not an image, truncated, over a budget, or cannot be made small enough.</exception>
    public static Thumbnail FromFile(string path, SocialOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        FileInfo file;
        try
        {
            file = new FileInfo(path);
            if (!file.Exists)
            {
                throw new ThumbnailException($"{path}: no such file");
            }
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ThumbnailException($"{path}: {e.Message}", e);
        }

        if (file.Length > options.MaxPhotoFileBytes)
        {
            throw new ThumbnailException($"{path}: {file.Length} bytes is over the photo limit of {options.MaxPhotoFileBytes} bytes");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ThumbnailException($"{path}: {e.Message}", e);
        }

        return FromBytes(bytes, options);
    }

    /// <exception cref="ThumbnailException">Not an image, truncated, over a budget, or cannot be made small enough.</exception>
    public static Thumbnail FromBytes(byte[] photo, SocialOptions options)
    {
        ArgumentNullException.ThrowIfNull(photo);
        ArgumentNullException.ThrowIfNull(options);
        using var data = SKData.CreateCopy(photo);
        using var codec = SKCodec.Create(data) ?? throw new ThumbnailException("not an image this node can read (JPEG, PNG, WebP, GIF, BMP)");
        var info = codec.Info;
        long pixels = (long)info.Width * info.Height;
        if (info.Width <= 0 || info.Height <= 0 || pixels > options.MaxPhotoPixels)
        {
            throw new ThumbnailException($"the image claims {info.Width}×{info.Height} pixels, over the budget of {options.MaxPhotoPixels} pixels");
        }

        using var decoded = Decode(codec, options, options.MaxThumbnailSide);
        using var upright = Orient(decoded, codec.EncodedOrigin);
        var opaque = info.AlphaType == SKAlphaType.Opaque || !HasTransparency(upright);
        using var square = CropAndScale(upright, options.MaxThumbnailSide);
        return Encode(square, opaque, options.MaxThumbnailBytes);
    }

    /// <summary>
    /// The full photo as it is published (section 9): upright, at most <see cref="SocialOptions.MaxPhotoSide"/> pixels on
    /// its longer side, re-encoded (JPEG, or WebP when it has transparency) so that none of the original's metadata
    /// leaves the node. The same budgets as the thumbnail are checked first.
    /// </summary>
    /// <exception cref="ThumbnailException">Not an image, truncated or over a budget.</exception>
    public static Thumbnail CleanPhoto(byte[] photo, SocialOptions options)
    {
        ArgumentNullException.ThrowIfNull(photo);
        ArgumentNullException.ThrowIfNull(options);
        using var data = SKData.CreateCopy(photo);
        using var codec = SKCodec.Create(data) ?? throw new ThumbnailException("not an image this node can read (JPEG, PNG, WebP, GIF, BMP)");
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > options.MaxPhotoPixels)
        {
            throw new ThumbnailException($"the image claims {info.Width}×{info.Height} pixels, over the budget of {options.MaxPhotoPixels} pixels");
        }

        using var decoded = Decode(codec, options, options.MaxPhotoSide);
        using var upright = Orient(decoded, codec.EncodedOrigin);
        var opaque = info.AlphaType == SKAlphaType.Opaque || !HasTransparency(upright);
        using var fitted = Fit(upright, options.MaxPhotoSide);
        using var image = SKImage.FromBitmap(fitted);
        var format = opaque ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Webp;
        using var encoded = image.Encode(format, 85) ?? throw new ThumbnailException("the photo cannot be encoded");
        return new Thumbnail(encoded.ToArray(), opaque ? "image/jpeg" : "image/webp", fitted.Width, fitted.Height);
    }

    /// <summary>Reads a photo file within <see cref="SocialOptions.MaxPhotoFileBytes"/>.</summary>
    /// <exception cref="ThumbnailException">Missing, unreadable or too large.</exception>
    public static byte[] ReadPhoto(string path, SocialOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            var file = new FileInfo(path);
            if (!file.Exists)
            {
                throw new ThumbnailException($"{path}: no such file");
            }

            if (file.Length > options.MaxPhotoFileBytes)
            {
                throw new ThumbnailException($"{path}: {file.Length} bytes is over the photo limit of {options.MaxPhotoFileBytes} bytes");
            }

            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new ThumbnailException($"{path}: {e.Message}", e);
        }
    }

    private static SKBitmap Decode(SKCodec codec, SocialOptions options, int side)
    {
        // The smallest scale the decoder offers that still covers the wanted side: JPEG decodes at 1/2, 1/4, 1/8.
        var full = codec.Info;
        var size = new SKSizeI(full.Width, full.Height);
        foreach (var scale in new[] { 0.125f, 0.25f, 0.5f })
        {
            var d = codec.GetScaledDimensions(scale);
            if (Math.Min(d.Width, d.Height) >= side && d.Width < size.Width)
            {
                size = d;
                break;
            }
        }

        if ((long)size.Width * size.Height > options.MaxDecodedPixels)
        {
            throw new ThumbnailException(
                $"the image is {full.Width}×{full.Height} pixels and its format cannot be decoded smaller; the limit is {options.MaxDecodedPixels} pixels");
        }

        var target = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var bitmap = new SKBitmap(target);
        var result = codec.GetPixels(target, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new ThumbnailException(result == SKCodecResult.IncompleteInput
                ? "the image is truncated"
                : $"the image cannot be decoded ({result})");
        }

        return bitmap;
    }

    /// <summary>Draws the bitmap the way its EXIF orientation says it is to be seen.</summary>
    private static SKBitmap Orient(SKBitmap source, SKEncodedOrigin origin)
    {
        var w = source.Width;
        var h = source.Height;
        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var result = new SKBitmap(new SKImageInfo(swap ? h : w, swap ? w : h, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(result);
        canvas.Clear(SKColors.Transparent);
        var m = origin switch
        {
            SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
            SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1),
            SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),
            _ => SKMatrix.Identity,
        };
        canvas.SetMatrix(m);
        canvas.DrawBitmap(source, 0, 0);
        canvas.Flush();
        return result;
    }

    private static SKBitmap CropAndScale(SKBitmap source, int maxSide)
    {
        var side = Math.Min(source.Width, source.Height);
        var left = (source.Width - side) / 2;
        var top = (source.Height - side) / 2;
        var outSide = Math.Min(side, maxSide);
        var result = new SKBitmap(new SKImageInfo(outSide, outSide, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(result);
        canvas.Clear(SKColors.Transparent);
        using var image = SKImage.FromBitmap(source);
        canvas.DrawImage(
            image,
            SKRect.Create(left, top, side, side),
            SKRect.Create(0, 0, outSide, outSide),
            new SKSamplingOptions(SKCubicResampler.Mitchell));
        canvas.Flush();
        return result;
    }

    /// <summary>The whole picture, scaled down (never up) so that its longer side is at most <paramref name="maxSide"/>.</summary>
    private static SKBitmap Fit(SKBitmap source, int maxSide)
    {
        var longer = Math.Max(source.Width, source.Height);
        var ratio = Math.Min(1.0, (double)maxSide / longer);
        var w = Math.Max(1, (int)Math.Round(source.Width * ratio));
        var h = Math.Max(1, (int)Math.Round(source.Height * ratio));
        var result = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(result);
        canvas.Clear(SKColors.Transparent);
        using var image = SKImage.FromBitmap(source);
        canvas.DrawImage(image, SKRect.Create(0, 0, source.Width, source.Height), SKRect.Create(0, 0, w, h), new SKSamplingOptions(SKCubicResampler.Mitchell));
        canvas.Flush();
        return result;
    }

    private static bool HasTransparency(SKBitmap bitmap)
    {
        var span = bitmap.GetPixelSpan();
        for (var i = 3; i < span.Length; i += 4)
        {
            if (span[i] != 255)
            {
                return true;
            }
        }

        return false;
    }

    private static Thumbnail Encode(SKBitmap square, bool opaque, int maxBytes)
    {
        // JPEG has no alpha: a photo with transparency goes out as WebP, which keeps it.
        var format = opaque ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Webp;
        using var image = SKImage.FromBitmap(square);
        foreach (var quality in Qualities)
        {
            using var encoded = image.Encode(format, quality);
            if (encoded is not null && encoded.Size <= maxBytes)
            {
                return new Thumbnail(encoded.ToArray(), opaque ? "image/jpeg" : "image/webp", square.Width, square.Height);
            }
        }

        throw new ThumbnailException($"the thumbnail does not fit in {maxBytes} bytes even at the lowest quality");
    }
}
