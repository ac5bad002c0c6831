using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace O365Activity.Tests.Infrastructure;

/// <summary>A browser page and what went wrong on it: script errors, console errors (a Content-Security-Policy violation is one), dialogs.</summary>
public sealed class WatchedPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    public ConcurrentQueue<string> Problems { get; } = new();

    /// <summary>Fails unless nothing went wrong on the page.</summary>
    public void AssertNoProblems() =>
        Assert.True(Problems.IsEmpty, "Expected no script errors, console errors or dialogs on the page; got: " + string.Join(" | ", Problems));

    public async ValueTask DisposeAsync() => await context.CloseAsync();
}
