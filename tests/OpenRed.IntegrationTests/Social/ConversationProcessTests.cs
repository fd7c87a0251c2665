using OpenRed.IntegrationTests.Cli;
using OpenRed.IntegrationTests.Node;
using SkiaSharp;

namespace OpenRed.IntegrationTests.Social;

/// <summary>The conversation of issue 13 on two real nodes over loopback, as a person types it.</summary>
public sealed class ConversationProcessTests
{
    [Fact]
    public async Task WholeConversation_ProfilesFriendsAndChat_WithDeliveredMarks()
    {
        using var dir = new TempDirectory();
        var photo = Path.Combine(dir.Path, "me.jpg");
        await File.WriteAllBytesAsync(photo, Photo(1600, 1200));
        await using var alice = await NodeCli.StartAsync(dir.Sub("alice"), "alice");
        await using var papa = await NodeCli.StartAsync(dir.Sub("papa"), "papa");

        var own = await alice.CommandJsonAsync("profile set --name \"Alice Martin\" --profession \"Photographer\" --bio \"Lyon · film and light\"");
        own.GetProperty("display_name").GetString().Should().Be("Alice Martin");
        var withPhoto = await alice.CommandJsonAsync($"profile photo {photo}");
        withPhoto.GetProperty("thumbnail_bytes").GetInt32().Should().BeInRange(1, 16384);
        withPhoto.GetProperty("thumbnail_width").GetInt32().Should().Be(128);
        await papa.CommandJsonAsync("profile set --name Papa --profession Retired");
        await SocialCli.ConnectAsync(alice, papa);

        var papaProfile = await alice.CommandJsonAsync("profile show papa");
        papaProfile.GetProperty("display_name").GetString().Should().Be("Papa");
        papaProfile.GetProperty("safety_code").GetString().Should().MatchRegex(@"^\d{5}( \d{5}){5}$");
        var papaStatus = await papa.CommandJsonAsync("status");
        papaProfile.GetProperty("fingerprint").GetString().Should().Be(papaStatus.GetProperty("fingerprint").GetString());

        await SocialCli.MakeFriendsAsync(alice, "alice", papa, "papa");
        var friends = await papa.CommandJsonAsync("friends");
        var entry = friends.GetProperty("friends").EnumerateArray().Single();
        entry.GetProperty("message").GetString().Should().Be("c'est Alice");
        entry.GetProperty("safety_code").GetString().Should().Be(
            (await alice.CommandJsonAsync("profile show")).GetProperty("safety_code").GetString(), "both read the same code for alice");

        await SocialCli.SendAsync(alice, "papa", "On mange à 19h ?");
        var chat = await NodeCli.PollAsync(alice, "chat papa", c => SocialCli.Count(c, outgoing: true, "delivered") == 1, SocialCli.Deadline);
        SocialCli.Messages(chat).Single().GetProperty("text").GetString().Should().Be("On mange à 19h ?");
        SocialCli.Unread(await papa.CommandJsonAsync("friends"), "alice").Should().Be(1);
        SocialCli.Unread(await papa.CommandJsonAsync("friends"), "alice").Should().Be(1, "counting (the dashboard's badge) marks nothing read");
        var inbox = await papa.CommandJsonAsync("inbox");
        inbox.GetProperty("messages").EnumerateArray().Single().GetProperty("text").GetString().Should().Be("On mange à 19h ?");
        (await papa.CommandJsonAsync("inbox")).GetProperty("messages").GetArrayLength().Should().Be(0, "read once");

        await SocialCli.SendAsync(papa, "alice", "Oui, à ce soir");
        var both = await NodeCli.PollAsync(alice, "chat papa", c => SocialCli.Messages(c).Length == 2, SocialCli.Deadline);
        SocialCli.Messages(both).Select(m => m.GetProperty("text").GetString()).Should().Equal("On mange à 19h ?", "Oui, à ce soir");
        SocialCli.Unread(await alice.CommandJsonAsync("friends"), "papa").Should().Be(0, "opening the conversation reads it");
        (await alice.CommandJsonAsync("inbox")).GetProperty("messages").GetArrayLength().Should().Be(0, "read in the conversation");

        var thumb = Path.Combine(dir.Path, "alice.jpg");
        var written = await papa.CommandJsonAsync($"profile thumbnail alice --out {thumb}");
        written.GetProperty("bytes").GetInt32().Should().Be(withPhoto.GetProperty("thumbnail_bytes").GetInt32());
        using (var decoded = SKBitmap.Decode(thumb))
        {
            decoded.Width.Should().Be(128);
        }

        var text = await papa.CommandJsonAsync("profile show alice");
        text.GetProperty("bio").GetString().Should().Be("Lyon · film and light");
        await NodeCli.QuitAsync(alice);
        await NodeCli.QuitAsync(papa);
    }

    [Fact]
    public async Task MessageToOfflineFriend_IsDeliveredAfterTheFriendStarts()
    {
        using var dir = new TempDirectory();
        await using var alice = await NodeCli.StartAsync(dir.Sub("alice"), "alice");
        var papa = await NodeCli.StartAsync(dir.Sub("papa"), "papa");
        await SocialCli.ConnectAsync(alice, papa);
        await SocialCli.MakeFriendsAsync(alice, "alice", papa, "papa");
        await NodeCli.QuitAsync(papa);
        await papa.DisposeAsync();
        await NodeCli.PollAsync(alice, "peers", p => NodeCli.Sessions(p).Length == 0, SocialCli.Deadline);

        await SocialCli.SendAsync(alice, "papa", "tu es là ?");
        var queued = await alice.CommandJsonAsync("chat papa");
        SocialCli.Messages(queued).Single().GetProperty("state").GetString().Should().Be("queued");

        await using var again = await NodeCli.StartAsync(dir.Sub("papa"), "papa");
        await SocialCli.ConnectAsync(again, alice);
        await NodeCli.PollAsync(alice, "chat papa", c => SocialCli.Count(c, outgoing: true, "delivered") == 1, SocialCli.Deadline);
        var inbox = await again.CommandJsonAsync("inbox");
        inbox.GetProperty("messages").EnumerateArray().Single().GetProperty("text").GetString().Should().Be("tu es là ?");
    }

    [Fact]
    public async Task FriendRequestToPeerWithoutSession_IsQueued_AndSentWhenOneStarts_SurvivingRestarts()
    {
        using var dir = new TempDirectory();
        var alice = await NodeCli.StartAsync(dir.Sub("alice"), "alice");
        await using var papa = await NodeCli.StartAsync(dir.Sub("papa"), "papa");
        await SocialCli.ConnectAsync(alice, papa);
        await alice.CommandJsonAsync("disconnect papa");

        // No session: queued. Restart alice before any session: the request is still owed.
        var asked = await alice.CommandJsonAsync("friend add papa later");
        asked.GetProperty("delivered").GetBoolean().Should().BeFalse();
        await NodeCli.QuitAsync(alice);
        await alice.DisposeAsync();
        await using var again = await NodeCli.StartAsync(dir.Sub("alice"), "alice");
        SocialCli.State(await again.CommandJsonAsync("friends"), "papa").Should().Be("pending_out");

        await SocialCli.ConnectAsync(papa, again);
        await NodeCli.PollAsync(papa, "friends", d => SocialCli.State(d, "alice") == "pending_in", SocialCli.Deadline);
        await NodeCli.PollAsync(again, "friends", d => d.GetProperty("friends")[0].GetProperty("delivered").GetBoolean(), SocialCli.Deadline);
    }

    [Fact]
    public async Task PeerText_IsShownWithControlCharactersVisible()
    {
        using var dir = new TempDirectory();
        await using var alice = await NodeCli.StartAsync(dir.Sub("alice"), "alice");
        await using var papa = await NodeCli.StartAsync(dir.Sub("papa"), "papa");
        await SocialCli.ConnectAsync(alice, papa);
        await SocialCli.MakeFriendsAsync(alice, "alice", papa, "papa");
        await SocialCli.SendAsync(alice, "papa", "bell\u0007 and \u001b[31mred");
        await NodeCli.PollAsync(alice, "chat papa", c => SocialCli.Count(c, outgoing: true, "delivered") == 1, SocialCli.Deadline);

        var seen = papa.StdoutLines.Count;
        await papa.WriteLineAsync("chat alice");
        var line = await papa.WaitForStdoutAsync(l => l.Contains("bell", StringComparison.Ordinal), SocialCli.Deadline, skip: seen);

        line.Should().NotContain("\u0007").And.NotContain("\u001b");
    }

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
        return data.ToArray();
    }
}
