using OpenRed.Core.Social;
using OpenRed.Core.Social.Internal;
using SkiaSharp;

namespace OpenRed.Core.Tests.Social;

public sealed class ThumbnailCheckTests
{
    private static readonly SocialOptions Options = SocialOptions.Default;

    [Fact]
    public void ThumbnailWithinLimits_IsKept()
    {
        using var b = TestImages.Halves(128, 128);

        ThumbnailCheck.Problem(TestImages.Encode(b, SKEncodedImageFormat.Jpeg), "image/jpeg", Options).Should().BeNull();
        ThumbnailCheck.Problem(TestImages.Encode(b, SKEncodedImageFormat.Png), "image/png", Options).Should().BeNull();
        ThumbnailCheck.Problem(TestImages.Encode(b, SKEncodedImageFormat.Webp), "image/webp", Options).Should().BeNull();
    }

    [Fact]
    public void TooManyPixels_IsDropped()
    {
        using var b = TestImages.Halves(129, 64);

        ThumbnailCheck.Problem(TestImages.Encode(b, SKEncodedImageFormat.Jpeg), "image/jpeg", Options).Should().Contain("129×64");
    }

    [Fact]
    public void TooManyBytes_IsDropped()
    {
        using var b = TestImages.Noise(128, 128);
        var png = TestImages.Encode(b, SKEncodedImageFormat.Png);
        png.Length.Should().BeGreaterThan(16384, "noise does not compress");

        ThumbnailCheck.Problem(png, "image/png", Options).Should().Contain("bytes");
    }

    [Fact]
    public void DeclaredTypeOtherThanContent_IsDropped()
    {
        using var b = TestImages.Halves(64, 64);

        ThumbnailCheck.Problem(TestImages.Encode(b, SKEncodedImageFormat.Png), "image/jpeg", Options).Should().Contain("declared");
        ThumbnailCheck.Problem(TestImages.Encode(b, SKEncodedImageFormat.Png), "image/gif", Options).Should().NotBeNull();
    }

    [Fact]
    public void GarbageOrTruncated_IsDropped()
    {
        using var b = TestImages.Noise(120, 120);
        var jpeg = TestImages.Encode(b, SKEncodedImageFormat.Jpeg, 30);

        ThumbnailCheck.Problem([1, 2, 3, 4], "image/jpeg", Options).Should().NotBeNull();
        ThumbnailCheck.Problem(jpeg[..(jpeg.Length / 2)], "image/jpeg", Options).Should().NotBeNull();
        ThumbnailCheck.Problem([], "image/jpeg", Options).Should().Be("empty");
    }
}
