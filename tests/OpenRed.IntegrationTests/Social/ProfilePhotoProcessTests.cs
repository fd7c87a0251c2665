using System.Text;
using OpenRed.IntegrationTests.Cli;
using OpenRed.IntegrationTests.Node;
using SkiaSharp;

namespace OpenRed.IntegrationTests.Social;

/// <summary>The full profile photo published as a URN (section 9's photo_urn) and resurrected by a peer, on real nodes.</summary>
public sealed class ProfilePhotoProcessTests
{
    [Fact]
    public async Task ProfilePhoto_PublishedAsUrn_ShownInProfile_ResurrectedByPeer_WithoutMetadata()
    {
        using var dir = new TempDirectory();
        var photo = Path.Combine(dir.Path, "me.jpg");
        await File.WriteAllBytesAsync(photo, Photo(1600, 1200));
        await using var alice = await NodeCli.StartAsync(dir.Sub("alice"), "alice");
        await using var papa = await NodeCli.StartAsync(dir.Sub("papa"), "papa");
        var aliceFingerprint = await NodeCli.FingerprintAsync(alice);

        var own = await alice.CommandJsonAsync($"profile photo {photo}");

        own.GetProperty("thumbnail_bytes").GetInt32().Should().BeInRange(1, 16384);
        own.GetProperty("photo_urn").GetString().Should().Be("profile_photo");
        var urn = own.GetProperty("photo_resurrect").GetString();
        urn.Should().Be("profile_photo@" + aliceFingerprint[..16]);
        var urns = await alice.CommandJsonAsync("urns");
        urns.GetProperty("urns").EnumerateArray().Should().Contain(u => u.GetProperty("name").GetString() == "profile_photo"
            && u.GetProperty("role").GetString() == "published" && u.GetProperty("media_type").GetString() == "image/jpeg");

        await SocialCli.ConnectAsync(papa, alice);
        var shown = await papa.CommandJsonAsync("profile show alice");
        shown.GetProperty("photo_resurrect").GetString().Should().Be(urn);
        var seen = papa.StdoutLines.Count;
        await papa.WriteLineAsync("profile show alice");
        (await papa.WaitForStdoutAsync(l => l.Contains("photo urn", StringComparison.Ordinal), SocialCli.Deadline, skip: seen))
            .Should().Contain(urn);

        var resurrected = await papa.CommandJsonAsync($"resurrect {urn}");

        resurrected.GetProperty("stage").GetString().Should().Be("network");
        var bytes = await File.ReadAllBytesAsync(resurrected.GetProperty("path").GetString()!);
        using var decoded = SKBitmap.Decode(bytes);
        (decoded.Width, decoded.Height).Should().Be((1600, 1200));
        Encoding.ASCII.GetString(bytes).Should().NotContain("Exif").And.NotContain("GPS");
    }

    /// <summary>A JPEG carrying an EXIF block with a GPS tag name: what the published photo must not keep.</summary>
    private static byte[] Photo(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.SkyBlue);
            using var paint = new SKPaint { Color = SKColors.Orange };
            canvas.DrawCircle(width / 2f, height / 2f, height / 3f, paint);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        var jpeg = data.ToArray();

        // An APP1 segment right after SOI: "Exif\0\0" and a few bytes naming GPS (a decoder skips what it cannot read).
        var payload = Encoding.ASCII.GetBytes("Exif\0\0GPSLatitude 45.76N GPSLongitude 4.83E");
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        segment[2] = (byte)((payload.Length + 2) >> 8);
        segment[3] = (byte)(payload.Length + 2);
        payload.CopyTo(segment, 4);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }
}
