namespace O365Activity.Tests.Collection;

/// <summary>The failure <see cref="FaultyStore"/> injects, standing for a database error.</summary>
internal sealed class InjectedStoreFailure(string message) : Exception(message);
