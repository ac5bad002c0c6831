namespace O365Activity.Storage;

/// <summary>What an audit record became; stored as the <c>kind</c> column (a <c>smallint</c>).</summary>
public enum EventKind : short
{
    /// <summary>Only a raw record (neither a sign-in nor an admin change).</summary>
    Raw = 0,

    /// <summary>Ingress activity (a sign-in), and its raw record.</summary>
    Ingress = 1,

    /// <summary>Admin activity, and its raw record.</summary>
    Admin = 2,
}
