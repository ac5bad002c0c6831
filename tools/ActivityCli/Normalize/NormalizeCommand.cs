using System.Collections.Immutable;
using Microsoft.Extensions.Configuration;
using O365Activity.Cli.Terminal;
using O365Activity.Contracts.Activity;
using O365Activity.Grains.Normalization;

namespace O365Activity.Cli.Normalize;

/// <summary>
/// The offline <c>normalize</c> command of <c>o365activity</c>: <c>dotnet run --project tools/ActivityCli -- normalize
/// [--include-raw] [--federated-domain DOMAIN]... [FILE]</c>. It reads audit records from FILE (none or <c>-</c>:
/// standard input) and writes one NDJSON line per record, using the service's normalizer and GeoIP settings
/// (configuration section <c>GeoIp</c>, see <see cref="GeoIpOptions"/>).
/// </summary>
/// <remarks>
/// <para>Input: a JSON array, NDJSON, or a Microsoft Purview audit-search CSV export, read record by record so that
/// memory does not grow with the input (see <see cref="AuditInput"/> for how the format is decided and how a bad part
/// is skipped).</para>
/// <para>Output, one line per record, in input order, shaped by <see cref="NormalizedLine"/>:
/// <c>{"kind":"ingress"|"admin"|"raw","recordId":"…",…}</c>. <c>rawJson</c> (the record as received) is left out unless
/// <c>--include-raw</c> is given. <c>--federated-domain</c> names a federated (AD FS) domain whose sign-ins get
/// <c>locationReliable: false</c>.</para>
/// <para>Raw records (<c>"kind":"raw"</c>) carry their generic decodings too: <c>clientAddress</c>, <c>user</c>,
/// <c>changes</c> and <c>actions</c> (see <see cref="RawRecord"/>).</para>
/// <para>Errors: each input part that is not a readable record is reported on the error writer as
/// <c>normalize: line N: reason</c> (<c>line N, element M</c> in a JSON array) and the other records still flow.
/// A record that is normalized with a stand-in value (an unreadable or missing <c>CreationTime</c>, see
/// <see cref="NormalizedRecord.Warnings"/>) is written all the same and reported as
/// <c>normalize: line N: warning: …</c>. An input without any record is reported as
/// <c>normalize: no records in FILE</c>. Exit code 0 when every record was normalized (warnings and an empty input
/// included), 1 when any part of the input could not be read or was not a record, 2 for usage errors (an unknown
/// option, a missing or unreadable file, a directory, unusable GeoIP settings).</para>
/// </remarks>
public static class NormalizeCommand
{
    /// <summary>The command's usage text.</summary>
    public const string Usage =
        "usage: normalize [--include-raw] [--federated-domain DOMAIN]... [--json] [FILE]\n" +
        "  FILE: a JSON array, NDJSON or a Purview audit CSV export; none or '-' reads standard input.\n" +
        "  Writes one NDJSON line per record: {\"kind\":\"ingress|admin|raw\",\"recordId\":...,...}.\n" +
        "  Bad input parts and warnings go to stderr as 'normalize: line N: ...'.\n" +
        "  Exit code: 0 all records normalized, 1 some input could not be read, 2 usage error.";

    /// <summary>
    /// The command's configuration, as the service reads its own: <c>appsettings.json</c> in
    /// <paramref name="directory"/> (optional), then environment variables (<c>GeoIp__CityDatabasePath</c>, …), the
    /// later winning.
    /// </summary>
    /// <param name="directory">The folder of <c>appsettings.json</c>: the executable's (<see cref="AppContext.BaseDirectory"/>).</param>
    /// <returns>The configuration to pass to <c>RunAsync</c>.</returns>
    /// <exception cref="InvalidDataException">When <c>appsettings.json</c> is there but is not valid JSON.</exception>
    public static IConfiguration LoadConfiguration(string directory) =>
        new ConfigurationBuilder()
            .SetBasePath(directory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();

    /// <summary>Runs the command.</summary>
    /// <param name="args">The arguments after <c>normalize</c>.</param>
    /// <param name="input">Standard input as bytes (UTF-8), read when no FILE or <c>-</c> is given; not closed.</param>
    /// <param name="output">Where the NDJSON lines go (and the usage text, for <c>--help</c>).</param>
    /// <param name="error">Where usage and record errors and warnings go.</param>
    /// <param name="configuration">The configuration holding the <c>GeoIp</c> section.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The exit code: 0 all records normalized, 1 some failed, 2 usage error.</returns>
    /// <exception cref="ArgumentNullException">When an argument is null.</exception>
    public static async Task<int> RunAsync(
        string[] args,
        Stream input,
        TextWriter output,
        TextWriter error,
        IConfiguration configuration,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var lines = new LineOutput(output);
        return await RunAsync(args, input, lines, error, configuration, cancellationToken);
    }

    /// <summary>Runs the command, writing its lines to a stream as UTF-8 (standard output).</summary>
    /// <param name="args">The arguments after <c>normalize</c>.</param>
    /// <param name="input">Standard input as bytes (UTF-8), read when no FILE or <c>-</c> is given; not closed.</param>
    /// <param name="output">Where the NDJSON lines go (and the usage text, for <c>--help</c>), as UTF-8 without a byte-order mark; not closed.</param>
    /// <param name="error">Where usage and record errors and warnings go.</param>
    /// <param name="configuration">The configuration holding the <c>GeoIp</c> section.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The exit code: 0 all records normalized, 1 some failed, 2 usage error.</returns>
    /// <exception cref="ArgumentNullException">When an argument is null.</exception>
    public static async Task<int> RunAsync(
        string[] args,
        Stream input,
        Stream output,
        TextWriter error,
        IConfiguration configuration,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var lines = new LineOutput(output);
        return await RunAsync(args, input, lines, error, configuration, cancellationToken);
    }

    private static async Task<int> RunAsync(
        string[] args,
        Stream input,
        LineOutput output,
        TextWriter error,
        IConfiguration configuration,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(configuration);

        string? file = null;
        var includeRaw = false;
        var federatedDomains = ImmutableArray.CreateBuilder<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    await output.WriteLineAsync(Usage);
                    await output.FlushAsync(cancellationToken);
                    return 0;
                case "--include-raw":
                    includeRaw = true;
                    break;
                case "--json":
                    // The output is NDJSON already; accepted like the gateway commands' --json.
                    break;
                case "--federated-domain" when i + 1 < args.Length:
                    federatedDomains.Add(args[++i].Trim().TrimStart('@').ToLowerInvariant());
                    break;
                case var a when a.StartsWith("--", StringComparison.Ordinal) || file is not null:
                    await error.WriteLineAsync($"normalize: unexpected argument '{a}'.");
                    await error.WriteLineAsync(Usage);
                    return 2;
                default:
                    file = args[i];
                    break;
            }
        }

        var fromStandardInput = file is null or "-";
        if (!fromStandardInput && Directory.Exists(file))
        {
            await error.WriteLineAsync($"normalize: is a directory: {file}");
            return 2;
        }

        if (!fromStandardInput && !File.Exists(file))
        {
            await error.WriteLineAsync($"normalize: file not found: {file}");
            return 2;
        }

        var options = configuration.GetSection(GeoIpOptions.SectionName).Get<GeoIpOptions>() ?? new GeoIpOptions();
        var validation = new GeoIpOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            foreach (var failure in validation.Failures ?? [])
            {
                await error.WriteLineAsync($"normalize: {failure}");
            }

            return 2;
        }

        Stream stream;
        try
        {
            // No FileStream buffer: the input readers read in large blocks of their own.
            stream = fromStandardInput ? input : new FileStream(file!, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"normalize: cannot read {file}: {e.Message}");
            return 2;
        }

        await using var ownedStream = fromStandardInput ? null : stream;
        using var geoLocator = new GeoLocator(options);
        var normalizer = new AuditRecordNormalizer(geoLocator);
        var context = new NormalizationContext(Guid.Empty, DateTimeOffset.UtcNow, null, federatedDomains.ToImmutable()) { KeepRawJson = includeRaw };
        var records = 0;
        var failed = 0;

        await AuditInput.ReadAsync(
            stream,
            (position, record) =>
            {
                records++;
                NormalizedRecord normalized;
                try
                {
                    normalized = normalizer.Normalize(record, context);
                }
                catch (AuditRecordFormatException e)
                {
                    failed++;
                    error.WriteLine($"normalize: {position}: {TerminalText.Escape(e.Message)}");
                    return;
                }

                foreach (var warning in normalized.Warnings)
                {
                    error.WriteLine($"normalize: {position}: warning: {TerminalText.Escape(warning.Message)}");
                }

                output.WriteRecord(normalized, includeRaw);
            },
            (position, reason) =>
            {
                failed++;
                // A reason may quote the input (System.Text.Json's messages quote the bad character): one line, nothing hidden.
                error.WriteLine($"normalize: {position}: {TerminalText.Escape(reason)}");
            },
            cancellationToken);

        if (records == 0 && failed == 0)
        {
            await error.WriteLineAsync($"normalize: no records in {(fromStandardInput ? "standard input" : file)}");
        }

        await output.FlushAsync(cancellationToken);
        await error.FlushAsync(cancellationToken);
        return failed == 0 ? 0 : 1;
    }
}
