using Microsoft.Playwright;

namespace O365Activity.Tests.Infrastructure;

/// <summary>
/// A headless Chromium driven by Playwright: the system's own browser (Debian's <c>chromium</c> package;
/// <c>O365_TEST_CHROMIUM</c> names another executable), never a browser Playwright downloads. Without one the tests
/// that use it fail, saying what to install.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"];

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("O365_TEST_CHROMIUM") is { Length: > 0 } configured
            ? configured
            : Candidates.FirstOrDefault(File.Exists)
                ?? throw new InvalidOperationException($"No Chromium found ({string.Join(", ", Candidates)}): install Debian's package (apt-get install chromium) or set O365_TEST_CHROMIUM.");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // Chromium refuses to start its sandbox as root (containers, CI).
            Args = Environment.UserName == "root" ? ["--no-sandbox"] : [],
        });
    }

    /// <summary>A fresh page (its own context) that records the page's script errors, console errors and dialogs.</summary>
    public async Task<WatchedPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var watched = new WatchedPage(context, page);
        page.PageError += (_, error) => watched.Problems.Enqueue($"script error: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                watched.Problems.Enqueue($"console error: {message.Text}");
            }
        };
        page.Dialog += async (_, dialog) =>
        {
            watched.Problems.Enqueue($"dialog: {dialog.Message}");
            await dialog.DismissAsync();
        };
        return watched;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
