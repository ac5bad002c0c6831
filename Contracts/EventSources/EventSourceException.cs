namespace O365Activity.Contracts.EventSources;

/// <summary>Why an event-source operation was refused; the gateway maps each to one gRPC status code.</summary>
public enum EventSourceError
{
    /// <summary>The tenant already has an event source (gRPC <c>ALREADY_EXISTS</c>).</summary>
    AlreadyExists = 1,

    /// <summary>The tenant has no event source (gRPC <c>NOT_FOUND</c>).</summary>
    NotFound = 2,

    /// <summary>The request is malformed (gRPC <c>INVALID_ARGUMENT</c>).</summary>
    InvalidArgument = 3,

    /// <summary>The source is not in a state that allows the operation (gRPC <c>FAILED_PRECONDITION</c>).</summary>
    FailedPrecondition = 4,

    /// <summary>The consent callback's <c>state</c> does not match the pending source (gRPC <c>PERMISSION_DENIED</c>).</summary>
    PermissionDenied = 5,
}

/// <summary>An event-source operation was refused for a reason the caller can act on (see <see cref="Error"/>).</summary>
[GenerateSerializer, Alias("o365.EventSourceException")]
public sealed class EventSourceException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The reason, which selects the gRPC status code.</param>
    /// <param name="message">A message for people: what was refused and why.</param>
    public EventSourceException(EventSourceError error, string message)
        : base(message) => Error = error;

    /// <summary>The reason.</summary>
    [Id(0)] public EventSourceError Error { get; }
}
