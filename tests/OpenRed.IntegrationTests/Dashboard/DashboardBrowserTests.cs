using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpenRed.IntegrationTests.Cli;
using OpenRed.IntegrationTests.Node;
using OpenRed.IntegrationTests.Social;
using static Microsoft.Playwright.Assertions;

namespace OpenRed.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard in a real browser (the distribution's headless Chromium) against real nodes on loopback: what a
/// person sees and clicks. Each test saves screenshots of the views it shows, at desktop size and 360 px wide.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardBrowserTests
{
    [Fact]
    public async Task Constellation_ShowsTheTwoPeers_DisconnectClickedClosesTheSession_NoTokenIsRefused()
    {
        using var dir = new TempDirectory();
        await using var alice = await DashboardNode.StartAsync(dir.Sub("alice"), "alice");
        await using var bob = await NodeCli.StartAsync(dir.Sub("bob"), "bob");
        await using var carol = await NodeCli.StartAsync(dir.Sub("carol"), "carol");
        await carol.CommandJsonAsync("profile set --name \"Carol Martin\" --profession Baker --bio \"Bread at dawn\"");
        await alice.ConnectToAsync(bob);
        await SocialCli.ConnectAsync(carol, alice.Process);
        var bobFingerprint = await NodeCli.FingerprintAsync(bob);

        await using var browser = await DashboardBrowser.LaunchAsync();
        var page = await browser.NewPageAsync();
        var errors = DashboardPages.WatchForErrors(page);
        await DashboardPages.OpenAsync(page, alice);
        await DashboardPages.MarkAsync(page);
        var bobNode = page.Locator("#map .peer.session[data-node-id='bob']");
        var carolNode = page.Locator("#map .peer.session[data-node-id='carol']");
        await Expect(bobNode).ToBeVisibleAsync();
        await Expect(carolNode).ToBeVisibleAsync();
        await Expect(page.Locator("#map .link")).ToHaveCountAsync(2);

        // The keyboard opens a peer as a click does.
        await carolNode.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#peer-title")).ToHaveTextAsync("carol");
        await Expect(page.Locator("#peer-panel [data-field='safety-code']")).ToHaveTextAsync(new Regex(@"^\d{5}( \d{5}){5}$"));
        await Expect(page.Locator("#peer-panel .display-name")).ToHaveTextAsync("Carol Martin");

        await bobNode.ClickAsync();
        await Expect(page.Locator("#peer-panel [data-field='fingerprint']")).ToHaveTextAsync(bobFingerprint);
        await page.Locator("#peer-panel [data-action='disconnect']").ClickAsync();
        await NodeCli.PollAsync(alice.Process, "peers",
            p => NodeCli.Sessions(p).All(s => s.GetProperty("node_id").GetString() != "bob"), DashboardBrowser.Deadline);
        await Expect(page.Locator("#map .peer.session[data-node-id='bob']")).ToHaveCountAsync(0);
        await Expect(page.Locator("#map .link")).ToHaveCountAsync(1);
        await DashboardPages.ShouldNotHaveReloadedAsync(page);
        await carolNode.ClickAsync();
        await Expect(page.Locator("#peer-panel .display-name")).ToHaveTextAsync("Carol Martin");
        await DashboardPages.ScreenshotAsync(page, "constellation", "desktop");

        await DashboardPages.ViewAsync(page, "node");
        await Expect(page.Locator("#node-identity")).ToContainTextAsync("alice");
        await Expect(page.Locator("#chart-sessions polyline")).ToHaveCountAsync(1);
        await Expect(page.Locator("#chart-traffic")).ToHaveAttributeAsync("data-samples", new Regex(@"^([6-9]|\d{2,})$"));
        await DashboardPages.ScreenshotAsync(page, "node", "desktop");
        await DashboardPages.ViewAsync(page, "log");
        await Expect(page.Locator("#log-lines .log-line").First).ToBeVisibleAsync();
        await DashboardPages.ScreenshotAsync(page, "log", "desktop");
        errors.Should().BeEmpty("every view ran without a script error or a CSP refusal");

        var phone = await browser.NewPageAsync(DashboardBrowser.Phone);
        await DashboardPages.OpenAsync(phone, alice);
        await Expect(phone.Locator("#map .peer.session[data-node-id='carol']")).ToBeVisibleAsync();
        await DashboardPages.ScreenshotAsync(phone, "constellation", "360");
        await DashboardPages.ViewAsync(phone, "node");
        await Expect(phone.Locator("#chart-sessions polyline")).ToHaveCountAsync(1);
        await DashboardPages.ScreenshotAsync(phone, "node", "360");
        await DashboardPages.ViewAsync(phone, "log");
        await Expect(phone.Locator("#log-lines .log-line").First).ToBeVisibleAsync();
        await DashboardPages.ScreenshotAsync(phone, "log", "360");

        var dark = await browser.NewPageAsync(DashboardBrowser.Desktop, ColorScheme.Dark);
        await DashboardPages.OpenAsync(dark, alice);
        await Expect(dark.Locator("#map .peer.session[data-node-id='carol']")).ToBeVisibleAsync();
        await DashboardPages.ScreenshotAsync(dark, "constellation-dark", "desktop");

        // A browser that never opened the printed link has no token: the page and the API refuse it.
        var stranger = await browser.NewPageAsync();
        var refused = await stranger.GotoAsync(alice.Root.ToString());
        refused!.Status.Should().Be(401);
        await Expect(stranger.Locator("body")).ToContainTextAsync("the link the node printed");
        (await stranger.EvaluateAsync<int>("() => fetch('/v1/status').then(r => r.status)")).Should().Be(401);
        (await stranger.EvaluateAsync<int>("() => fetch('/v1/command', {method: 'POST', body: JSON.stringify({line: 'disconnect carol'})}).then(r => r.status)"))
            .Should().BeOneOf(401, 403);
        NodeCli.Sessions(await alice.Process.CommandJsonAsync("peers")).Should().ContainSingle(s => s.GetProperty("node_id").GetString() == "carol");
    }

    [Fact]
    public async Task FilePublishedThroughThePage_IsResurrectedOnAnotherDashboard_WithItsProgress()
    {
        using var dir = new TempDirectory();
        await using var alice = await DashboardNode.StartAsync(dir.Sub("alice"), "alice");
        await using var bob = await NodeCli.StartAsync(dir.Sub("bob"), "bob");
        await using var carol = await DashboardNode.StartAsync(dir.Sub("carol"), "carol");
        await alice.ConnectToAsync(bob);
        await carol.ConnectToAsync(bob);
        var content = RandomNumberGenerator.GetBytes(2_500_000);

        await using var browser = await DashboardBrowser.LaunchAsync();
        var alicePage = await browser.NewPageAsync();
        var errors = DashboardPages.WatchForErrors(alicePage);
        await DashboardPages.OpenAsync(alicePage, alice);
        await DashboardPages.ViewAsync(alicePage, "urns");
        await alicePage.Locator("#publish-file").SetInputFilesAsync(new FilePayload
        {
            Name = "Sunset Photo.png", MimeType = "image/png", Buffer = content,
        });
        await alicePage.Locator("#publish-form button[type='submit']").ClickAsync();
        await Expect(alicePage.Locator("#publish-result")).ToContainTextAsync("published sunset_photo");
        var row = alicePage.Locator("#urn-table tr[data-urn='sunset_photo']");
        await Expect(row).ToContainTextAsync("published");
        var published = await alice.Process.CommandJsonAsync("urns");
        published.GetProperty("urns").EnumerateArray().Single().GetProperty("size").GetInt64().Should().Be(content.Length);
        await DashboardPages.ScreenshotAsync(alicePage, "urns", "desktop");

        var carolPage = await browser.NewPageAsync();
        var carolErrors = DashboardPages.WatchForErrors(carolPage);
        await DashboardPages.OpenAsync(carolPage, carol);
        await DashboardPages.ViewAsync(carolPage, "urns");
        await carolPage.Locator("#resurrect-name").FillAsync("sunset_photo");
        await carolPage.Locator("#resurrect-form button[type='submit']").ClickAsync();
        var bar = carolPage.Locator("#resurrect-progress");
        await Expect(bar).ToHaveAttributeAsync("data-state", "done");
        await Expect(carolPage.Locator("#resurrect-result")).ToContainTextAsync("resurrected sunset_photo");
        int.Parse(await bar.GetAttributeAsync("data-progress-events") ?? "0", System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeGreaterThan(0, "the bar moved with the stream's progress events");
        (await bar.EvaluateAsync<double>("b => b.max")).Should().Be(content.Length);
        (await bar.EvaluateAsync<double>("b => b.value")).Should().Be(content.Length);

        var download = await carolPage.RunAndWaitForDownloadAsync(
            () => carolPage.Locator("#resurrect-result a[data-download='sunset_photo']").ClickAsync());
        var saved = Path.Combine(dir.Path, "downloaded.png");
        await download.SaveAsAsync(saved);
        (await File.ReadAllBytesAsync(saved)).Should().Equal(content);
        await Expect(carolPage.Locator("#urn-table tr[data-urn='sunset_photo']")).ToBeVisibleAsync();
        errors.Concat(carolErrors).Should().BeEmpty("publishing and resurrecting ran without a script error or a CSP refusal");

        var phone = await browser.NewPageAsync(DashboardBrowser.Phone);
        await DashboardPages.OpenAsync(phone, alice);
        await DashboardPages.ViewAsync(phone, "urns");
        await Expect(phone.Locator("#urn-table tr[data-urn='sunset_photo']")).ToBeVisibleAsync();
        await DashboardPages.ScreenshotAsync(phone, "urns", "360");
    }

    [Fact]
    public async Task ChatMessageTypedInOnePage_AppearsInTheOther_WithoutReload()
    {
        using var dir = new TempDirectory();
        await using var alice = await DashboardNode.StartAsync(dir.Sub("alice"), "alice");
        await using var papa = await DashboardNode.StartAsync(dir.Sub("papa"), "papa");
        await alice.ConnectToAsync(papa.Process);
        await using var browser = await DashboardBrowser.LaunchAsync();
        var alicePage = await browser.NewPageAsync();
        var papaPage = await browser.NewPageAsync();
        var errors = DashboardPages.WatchForErrors(alicePage);
        var papaErrors = DashboardPages.WatchForErrors(papaPage);
        await DashboardPages.OpenAsync(alicePage, alice);
        await DashboardPages.OpenAsync(papaPage, papa);
        await DashboardPages.MarkAsync(alicePage);
        await DashboardPages.MarkAsync(papaPage);

        // alice asks from her prompt; papa accepts in his page.
        await alice.Process.CommandJsonAsync("friend add papa c'est Alice");
        await DashboardPages.ViewAsync(papaPage, "friends");
        var request = papaPage.Locator("#requests li[data-friend='alice']");
        await Expect(request).ToContainTextAsync("c'est Alice");
        await request.Locator("[data-action='accept']").ClickAsync();
        await NodeCli.PollAsync(alice.Process, "friends", d => SocialCli.State(d, "papa") == "friend", SocialCli.Deadline);

        // A message before papa opens the conversation: an unread count on his list.
        await SocialCli.SendAsync(alice.Process, "papa", "Tu es là ?");
        await Expect(papaPage.Locator("#friends li[data-friend='alice'] .badge")).ToHaveTextAsync("1");
        (await papa.Process.CommandJsonAsync("inbox")).GetProperty("messages").EnumerateArray().Single().GetProperty("text").GetString()
            .Should().Be("Tu es là ?", "the page's badge marked nothing read: the prompt's inbox still has the message");
        await papaPage.Locator("[data-open-chat='alice']").ClickAsync();
        await Expect(papaPage.Locator("#messages .message.in .text")).ToHaveTextAsync(["Tu es là ?"]);
        await Expect(papaPage.Locator("#friends li[data-friend='alice'] .badge")).ToHaveCountAsync(0);

        await DashboardPages.ViewAsync(alicePage, "friends");
        await alicePage.Locator("[data-open-chat='papa']").ClickAsync();
        await alicePage.Locator("#chat-text").FillAsync("On mange à 19h ? <b>pas du HTML</b>");
        await alicePage.Locator("#chat-text").PressAsync("Enter");

        await Expect(papaPage.Locator("#messages .message.in .text")).ToHaveTextAsync(["Tu es là ?", "On mange à 19h ? <b>pas du HTML</b>"]);
        await Expect(papaPage.Locator("#messages b")).ToHaveCountAsync(0);
        await Expect(alicePage.Locator("#messages .message.out").Last).ToHaveAttributeAsync("data-state", "delivered");

        await papaPage.Locator("#chat-text").FillAsync("Oui, à ce soir");
        await papaPage.Locator("#chat-form button[type='submit']").ClickAsync();
        await Expect(alicePage.Locator("#messages .message.in .text")).ToHaveTextAsync(["Oui, à ce soir"]);
        await DashboardPages.ShouldNotHaveReloadedAsync(alicePage);
        await DashboardPages.ShouldNotHaveReloadedAsync(papaPage);
        errors.Concat(papaErrors).Should().BeEmpty("the chat ran without a script error or a CSP refusal");
        await DashboardPages.ScreenshotAsync(alicePage, "friends", "desktop");

        var phone = await browser.NewPageAsync(DashboardBrowser.Phone);
        await DashboardPages.OpenAsync(phone, papa);
        await DashboardPages.ViewAsync(phone, "friends");
        await phone.Locator("[data-open-chat='alice']").ClickAsync();
        await Expect(phone.Locator("#messages .message")).ToHaveCountAsync(3);
        await DashboardPages.ScreenshotAsync(phone, "friends", "360");
    }

    [Fact]
    public async Task NodeRestart_ThePageReconnectsByItself_AndItsActionsStillWork()
    {
        using var dir = new TempDirectory();
        var web = "127.0.0.1:" + DashboardNode.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var bob = await NodeCli.StartAsync(dir.Sub("bob"), "bob");
        await using var browser = await DashboardBrowser.LaunchAsync();
        var page = await browser.NewPageAsync();
        Uri link;
        await using (var first = await DashboardNode.StartAsync(dir.Sub("alice"), "alice", web))
        {
            await DashboardPages.OpenAsync(page, first);
            await DashboardPages.MarkAsync(page);
            link = first.Link;
            await NodeCli.QuitAsync(first.Process);
        }

        await Expect(page.Locator("#stream-state")).ToHaveAttributeAsync("data-state", "reconnecting");
        await using var alice = await DashboardNode.StartAsync(dir.Sub("alice"), "alice", web);
        alice.Link.Should().Be(link, "the token is kept in the data directory");
        await Expect(page.Locator("#stream-state")).ToHaveAttributeAsync("data-state", "live");

        // Events of the new process reach the page, and a click posts with the new process's CSRF value.
        await alice.ConnectToAsync(bob);
        var bobNode = page.Locator("#map .peer.session[data-node-id='bob']");
        await Expect(bobNode).ToBeVisibleAsync();
        await bobNode.ClickAsync();
        await page.Locator("#peer-panel [data-action='disconnect']").ClickAsync();
        await NodeCli.PollAsync(alice.Process, "peers", p => NodeCli.Sessions(p).Length == 0, DashboardBrowser.Deadline);
        await DashboardPages.ShouldNotHaveReloadedAsync(page);
    }
}

/// <summary>The browser tests run one at a time: each drives Chromium and up to three nodes on a shared, small machine.</summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection
{
    public const string Name = "dashboard browser";
}
