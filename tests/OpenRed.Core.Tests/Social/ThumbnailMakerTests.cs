using System.Diagnostics;
using System.Text;
using OpenRed.Core.Social;
using OpenRed.Core.Social.Internal;
using SkiaSharp;

namespace OpenRed.Core.Tests.Social;

public sealed class ThumbnailMakerTests
{
    private static readonly SocialOptions Options = SocialOptions.Default;

    [Fact]
    public void HugePhoto_BecomesSquareThumbnailWithinLimits()
    {
        using var big = TestImages.Noise(4000, 3000);
        var jpeg = TestImages.Encode(big, SKEncodedImageFormat.Jpeg);

        var t = ThumbnailMaker.FromBytes(jpeg, Options);

        t.MediaType.Should().Be("image/jpeg");
        (t.Width, t.Height).Should().Be((128, 128));
        t.Bytes.Length.Should().BeLessThanOrEqualTo(16384);
        ThumbnailCheck.Problem(t.Bytes, t.MediaType, Options).Should().BeNull();
    }

    [Fact]
    public void TinyPhoto_IsCroppedNotEnlarged()
    {
        using var tiny = TestImages.Halves(10, 6);

        var t = ThumbnailMaker.FromBytes(TestImages.Encode(tiny, SKEncodedImageFormat.Png), Options);

        (t.Width, t.Height).Should().Be((6, 6));
    }

    [Fact]
    public void PngWithAlpha_KeepsTransparencyAsWebP()
    {
        var t = ThumbnailMaker.FromBytes(TestImages.PngWithAlpha(300), Options);

        t.MediaType.Should().Be("image/webp");
        using var decoded = SKBitmap.Decode(t.Bytes);
        decoded.GetPixel(5, decoded.Height / 2).Alpha.Should().BeLessThan(50);
        decoded.GetPixel(decoded.Width - 5, decoded.Height / 2).Alpha.Should().Be(255);
    }

    [Fact]
    public void RotatedJpegWithExifAndGps_IsTurnedUpright_AndLeavesNoMetadata()
    {
        // Stored 200×100 with red on the left; orientation 6 means "turn 90° clockwise to view": red on top.
        using var halves = TestImages.Halves(200, 100);
        var jpeg = TestImages.WithExif(TestImages.Encode(halves, SKEncodedImageFormat.Jpeg), orientation: 6);
        using (var codec = SKCodec.Create(SKData.CreateCopy(jpeg)))
        {
            codec.EncodedOrigin.Should().Be(SKEncodedOrigin.RightTop, "the test image must carry the orientation");
        }

        var t = ThumbnailMaker.FromBytes(jpeg, Options);

        using var decoded = SKBitmap.Decode(t.Bytes);
        (decoded.Width, decoded.Height).Should().Be((100, 100));
        IsRed(decoded.GetPixel(80, 20)).Should().BeTrue("the top half is the red one once upright");
        IsBlue(decoded.GetPixel(20, 80)).Should().BeTrue();
        Contains(t.Bytes, "Exif").Should().BeFalse();
        using var again = SKCodec.Create(SKData.CreateCopy(t.Bytes));
        again.EncodedOrigin.Should().Be(SKEncodedOrigin.TopLeft);
    }

    [Fact]
    public void CleanPhoto_RotatedJpegWithExifAndGps_IsUpright_WholeAndWithoutMetadata()
    {
        using var halves = TestImages.Halves(200, 100);
        var jpeg = TestImages.WithExif(TestImages.Encode(halves, SKEncodedImageFormat.Jpeg), orientation: 6);

        var photo = ThumbnailMaker.CleanPhoto(jpeg, Options);

        photo.MediaType.Should().Be("image/jpeg");
        using var decoded = SKBitmap.Decode(photo.Bytes);
        (decoded.Width, decoded.Height).Should().Be((100, 200), "turned upright, not cropped");
        IsRed(decoded.GetPixel(50, 40)).Should().BeTrue("the top half is the red one once upright");
        IsBlue(decoded.GetPixel(50, 160)).Should().BeTrue();
        Contains(photo.Bytes, "Exif").Should().BeFalse();
    }

    [Fact]
    public void CleanPhoto_Huge_ScaledToTheLongestSide()
    {
        using var big = TestImages.Noise(4000, 3000);

        var photo = ThumbnailMaker.CleanPhoto(TestImages.Encode(big, SKEncodedImageFormat.Jpeg), Options);

        (photo.Width, photo.Height).Should().Be((2048, 1536));
    }

    [Fact]
    public void NotAnImage_IsRefusedWithOneLine()
    {
        var act = () => ThumbnailMaker.FromBytes(Encoding.UTF8.GetBytes("hello, this is a text file\n"), Options);

        act.Should().Throw<ThumbnailException>().WithMessage("not an image*");
    }

    [Fact]
    public void TruncatedJpeg_IsRefused()
    {
        using var noise = TestImages.Noise(800, 600);
        var jpeg = TestImages.Encode(noise, SKEncodedImageFormat.Jpeg);

        var act = () => ThumbnailMaker.FromBytes(jpeg[..(jpeg.Length / 2)], Options);

        act.Should().Throw<ThumbnailException>().WithMessage("*truncated*");
    }

    [Fact]
    public void DecompressionBomb_IsRefusedFromItsHeader_InBoundedTimeAndMemory()
    {
        var bomb = TestImages.PngBomb(50000, 50000);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        var act = () => ThumbnailMaker.FromBytes(bomb, Options);

        act.Should().Throw<ThumbnailException>().WithMessage("*50000×50000*over the budget*");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1));
        (GC.GetAllocatedBytesForCurrentThread() - allocated).Should().BeLessThan(1 << 20);
    }

    [Fact]
    public void PngOverTheDecodeBudget_IsRefusedBeforeDecoding()
    {
        // Under the header budget, but PNG cannot decode scaled down: 30 megapixels would be decoded in full.
        var act = () => ThumbnailMaker.FromBytes(TestImages.PngBomb(6000, 5000), Options);

        act.Should().Throw<ThumbnailException>().WithMessage("*cannot be decoded smaller*");
    }

    [Fact]
    public void MissingFile_IsOneLine()
    {
        var act = () => ThumbnailMaker.FromFile("/nonexistent/me.jpg", Options);

        act.Should().Throw<ThumbnailException>().WithMessage("*no such file*");
    }

    private static bool IsRed(SKColor c) => c.Red > 200 && c.Blue < 60;

    private static bool IsBlue(SKColor c) => c.Blue > 200 && c.Red < 60;

    private static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.ASCII.GetBytes(needle)) >= 0;
}
