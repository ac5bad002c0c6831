namespace O365Activity.Gateway.Services;

/// <summary>Questions asked of an exception and everything under it: its inner exceptions, all of an aggregate's.</summary>
internal static class ExceptionChain
{
    /// <summary>True when <paramref name="e"/> or any exception under it matches; false for null.</summary>
    /// <param name="e">The exception (a silo's failure arrives wrapped, at any depth).</param>
    /// <param name="match">The test of one exception.</param>
    public static bool Any(Exception? e, Func<Exception, bool> match) =>
        e is not null
        && (match(e) || (e is AggregateException aggregate ? aggregate.InnerExceptions.Any(i => Any(i, match)) : Any(e.InnerException, match)));
}
