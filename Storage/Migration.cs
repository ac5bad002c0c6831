namespace O365Activity.Storage;

/// <summary>One versioned schema migration.</summary>
/// <param name="Version">Its version (the file name's number).</param>
/// <param name="Name">Its name (the rest of the file name).</param>
/// <param name="Sql">Its text.</param>
/// <param name="Checksum">The lower-case hex SHA-256 of its text (line ends normalized to LF).</param>
public sealed record Migration(int Version, string Name, string Sql, string Checksum);
