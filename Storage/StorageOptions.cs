using System.ComponentModel.DataAnnotations;
using Npgsql;

namespace O365Activity.Storage;

/// <summary>
/// Where everything durable lives and how long events are kept (configuration section <c>Storage</c>). Validated at
/// start-up; a bad value names its setting.
/// </summary>
public sealed class StorageOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "Storage";

    /// <summary>
    /// The Npgsql connection string of the PostgreSQL database (setting <c>Storage:ConnectionString</c>, or the
    /// environment variable <c>Storage__ConnectionString</c>), for example
    /// <c>Host=db.example.net;Port=5432;Database=o365activity;Username=o365activity;Password=...</c>. One database holds
    /// Orleans' tables (membership, grain state, reminders, stream pub-sub) and the event store. A secret when it holds
    /// a password (marked <see cref="RedactConnectionStringAttribute"/>): it is never logged, and <see cref="ToString"/> shows it with the password replaced. Keep the password
    /// out of it with <see cref="PasswordFile"/>, or Npgsql's own <c>Passfile=</c> (a PostgreSQL <c>.pgpass</c> file).
    /// </summary>
    [RedactConnectionString]
    public string? ConnectionString { get; set; }

    /// <summary>
    /// A file holding the database password (setting <c>Storage:PasswordFile</c>; for example a mounted Kubernetes or
    /// Docker secret): its content, without surrounding white space, is the connection's password, in place of any
    /// <c>Password</c> in <see cref="ConnectionString"/>. Read at start-up; a missing or empty file stops it, naming the
    /// setting.
    /// </summary>
    public string? PasswordFile { get; set; }

    /// <summary>
    /// How long events are kept after they were collected (setting <c>Storage:Retention</c>, default 90 days): the
    /// retention job deletes older ones, and an audit record <c>Id</c> is de-duplicated for as long as its event is kept.
    /// </summary>
    [Range(typeof(TimeSpan), "8.00:00:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// How long a processed content blob is remembered after its <c>contentCreated</c> (setting
    /// <c>Storage:ProcessedBlobHorizon</c>, default 8 days): longer than the API's 7-day content lifetime, so a blob
    /// listed again is never fetched again (PROTOCOL.md §4).
    /// </summary>
    [Range(typeof(TimeSpan), "7.00:00:00", "30.00:00:00")]
    public TimeSpan ProcessedBlobHorizon { get; set; } = TimeSpan.FromDays(8);

    /// <summary>How often the retention job runs (setting <c>Storage:RetentionSweepInterval</c>, default 1 hour).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RetentionSweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Rows the retention job deletes per statement (setting <c>Storage:RetentionBatchSize</c>, default 10,000), so that no statement runs long.</summary>
    [Range(100, 1_000_000)]
    public int RetentionBatchSize { get; set; } = 10_000;

    /// <summary>
    /// The connection string with its password, if any, replaced by <c>[redacted]</c> (an unreadable one is not shown
    /// at all), and the other settings: what an options dump or a log line may show.
    /// </summary>
    public override string ToString() =>
        $"connection {RedactedConnectionString(ConnectionString)}{(PasswordFile is null ? "" : $", password from {PasswordFile}")}, retention {Retention}";

    /// <summary>
    /// <paramref name="connectionString"/> with its <c>Password</c> replaced by <c>[redacted]</c>; <c>(none)</c> for an
    /// empty one and <c>(not an Npgsql connection string; not shown)</c> for one that does not parse.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    public static string RedactedConnectionString(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return "(none)";
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (!string.IsNullOrEmpty(builder.Password))
            {
                builder.Password = "[redacted]";
            }

            return builder.ConnectionString;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            return "(not an Npgsql connection string; not shown)";
        }
    }
}
