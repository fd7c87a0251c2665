using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OpenRed.IntegrationTests.Dashboard;

/// <summary>Opening the dashboard and its views in a page, and the screenshots of each view the README shows.</summary>
internal static class DashboardPages
{
    /// <summary>Opens the printed link (which sets the token cookie) and waits for the event stream to be live.</summary>
    public static async Task OpenAsync(IPage page, DashboardNode node)
    {
        await page.GotoAsync(node.Link.ToString());
        await Expect(page.Locator("#stream-state")).ToHaveAttributeAsync("data-state", "live");
    }

    public static async Task ViewAsync(IPage page, string view)
    {
        await page.Locator($".tabs a[data-view='{view}']").ClickAsync();
        await Expect(page.Locator($"#view-{view}")).ToBeVisibleAsync();
    }

    /// <summary>One screenshot per size of the current view: TestResults/dashboard/&lt;name&gt;-&lt;size&gt;.png.</summary>
    public static Task ScreenshotAsync(IPage page, string name, string size) => DashboardBrowser.ScreenshotAsync(page, $"{name}-{size}");

    /// <summary>Collects what the pages must never cause: uncaught script errors and Content-Security-Policy refusals.</summary>
    public static List<string> WatchForErrors(IPage page)
    {
        var errors = new List<string>();
        page.PageError += (_, message) =>
        {
            lock (errors)
            {
                errors.Add("script error: " + message);
            }
        };
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (errors)
                {
                    errors.Add("CSP: " + message.Text);
                }
            }
        };
        return errors;
    }

    /// <summary>A marker in the page's JavaScript state: still there later means the page was not reloaded.</summary>
    public static Task MarkAsync(IPage page) => page.EvaluateAsync("() => { window.__openredTestMark = 'same page'; }");

    public static async Task ShouldNotHaveReloadedAsync(IPage page) =>
        (await page.EvaluateAsync<string?>("() => window.__openredTestMark ?? null")).Should().Be("same page", "the page was not reloaded");
}
