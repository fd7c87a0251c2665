using Microsoft.Playwright;

namespace OpenRed.IntegrationTests.Dashboard;

/// <summary>
/// Headless Chromium from the distribution's package (<c>/usr/bin/chromium</c>, installed by <c>.ci/run</c>), driven
/// by Playwright: no browser is downloaded. Each test launches its own browser, so each has a fresh temporary
/// profile that Playwright deletes at close; each page lives in its own context (its own cookies).
/// </summary>
internal sealed class DashboardBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>How long a page condition may take on a loaded machine before the test fails.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 820 };

    public static readonly ViewportSize Phone = new() { Width = 360, Height = 740 };

    private readonly IPlaywright _playwright;

    private DashboardBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<DashboardBrowser> LaunchAsync()
    {
        File.Exists(ChromiumPath).Should().BeTrue($"the browser tests need the distribution's chromium at {ChromiumPath} (.ci/run installs it)");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assertions.SetDefaultExpectTimeout((float)Deadline.TotalMilliseconds);
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Timeout = 90_000,
                Args =
                [
                    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                ],
            });
            return new DashboardBrowser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A new page in its own context (no cookie shared with other pages), of the given size.</summary>
    public async Task<IPage> NewPageAsync(ViewportSize? viewport = null, ColorScheme scheme = ColorScheme.Light)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = viewport ?? Desktop,
            ColorScheme = scheme,
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout((float)Deadline.TotalMilliseconds);
        var page = await context.NewPageAsync();
        return page;
    }

    /// <summary>Where the screenshots go: TestResults/dashboard next to the test assembly.</summary>
    public static string ScreenshotDirectory
    {
        get
        {
            var dir = Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = false });
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}
