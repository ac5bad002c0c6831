using System.Globalization;

namespace O365Activity.Emulator;

/// <summary>The emulator's command line, parsed into <see cref="EmulatorOptions"/>.</summary>
/// <param name="Options">The options.</param>
/// <param name="ShowHelp">Whether <c>--help</c> was given.</param>
public sealed record CommandLine(EmulatorOptions Options, bool ShowHelp)
{
    /// <summary>The usage text.</summary>
    public const string Usage = """
        Usage: dotnet run --project tests/Emulator -- [options]

          --urls URL               where to listen (default http://127.0.0.1:5090; port 0 = any free port)
          --records DIR|demo|none  audit records to serve to every tenant (default: ../shared/samples found
                                   above the current folder, else the built-in demo records)
          --client-id ID           the only client id the token endpoint accepts (default: any)
          --client-secret SECRET   the only client secret it accepts (default: any)
          --auto-consent           treat every tenant as having granted admin consent
          --consent-tenant GUID    tenant consented for by /organizations/v2.0/adminconsent without tenant_hint
          --consent-file PATH      keep admin consents in PATH (one tenant id per line) across restarts, as Entra does
          --generate-every SPAN    generator tick (10s, 500ms, 2m, 00:00:10): alone, one blob of 2-5 sign-ins and admin
                                   changes per tenant subscribed to Audit.AzureActiveDirectory each SPAN
          --generate-rate R        steady feed: R synthetic records per second per tenant (fractions allowed), split
                                   86/8/6 over Audit.AzureActiveDirectory/SharePoint/Exchange, for each enabled
                                   subscription, delivered every --generate-every tick (default 1s), visible at once
          --backlog N[,HOURS]      N synthetic records per tenant (same split), made when a subscription first starts,
                                   spread over the last HOURS (default 24, at most 168), in blobs of --blob-size
          --seed N                 seed of the synthetic records: the same seed serves the same record ids (default random)
          --blob-size N            records per blob (default 50)
          --page-size N            entries per content-listing page (default 100)
          --next-page-header NAME  header carrying the next page (default NextPageUri; or NextPageUrl, nextpageuri)
          --throttle N             requests per minute per tenant (default unlimited)
          --throttle-status CODE   status of a throttled request: 429 (default) or 403
          --clock-skew SPAN        the emulator's clock ahead of the system clock (negative: behind), e.g. -90m
          --signing-key TEXT       HMAC key for access tokens (default random per run)
          --help                   this text
        """;

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="findSamples">Finds the default records folder; null uses <see cref="FindSharedSamples"/>.</param>
    /// <returns>The parsed command line.</returns>
    /// <exception cref="FormatException">An unknown option or a bad value (the message names it).</exception>
    public static CommandLine Parse(IReadOnlyList<string> args, Func<string?>? findSamples = null)
    {
        var options = new EmulatorOptions { Url = "http://127.0.0.1:5090", RecordsDirectory = null };
        string? records = null;
        var paging = PagingBehavior.Default;
        var throttling = ThrottleBehavior.Unlimited;
        var help = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new FormatException($"{arg} needs a value.");
                }

                return args[++i];
            }

            switch (arg)
            {
                case "--urls":
                    options = options with { Url = Value().Split(';')[0] };
                    break;
                case "--records":
                    records = Value();
                    break;
                case "--client-id":
                    options = options with { ClientId = Value() };
                    break;
                case "--client-secret":
                    options = options with { ClientSecret = Value() };
                    break;
                case "--auto-consent":
                    options = options with { AutoConsentAllTenants = true };
                    break;
                case "--consent-file":
                    options = options with { ConsentFile = Value() };
                    break;
                case "--consent-tenant":
                    options = options with { DefaultConsentTenant = ParseGuid(arg, Value()) };
                    break;
                case "--generate-every":
                    options = options with { GenerateEvery = ParsePositiveSpan(arg, Value()) };
                    break;
                case "--generate-rate":
                    options = options with { GenerateRate = ParsePositiveNumber(arg, Value()) };
                    break;
                case "--backlog":
                    options = options with { Backlog = ParseBacklog(arg, Value()) };
                    break;
                case "--seed":
                    var seedText = Value();
                    options = options with
                    {
                        GeneratorSeed = int.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
                            ? seed
                            : throw new FormatException($"{arg}: '{seedText}' is not a whole number."),
                    };
                    break;
                case "--blob-size":
                    options = options with { BlobSize = ParsePositiveInt(arg, Value()) };
                    break;
                case "--page-size":
                    paging = paging with { PageSize = ParsePositiveInt(arg, Value()) };
                    break;
                case "--next-page-header":
                    paging = paging with { HeaderName = Value() };
                    break;
                case "--throttle":
                    throttling = throttling with { RequestsPerMinute = ParsePositiveInt(arg, Value()) };
                    break;
                case "--throttle-status":
                    var status = ParsePositiveInt(arg, Value());
                    throttling = status is 429 or 403 ? throttling with { StatusCode = status } : throw new FormatException($"{arg} must be 429 or 403.");
                    break;
                case "--clock-skew":
                    options = options with { ClockSkew = ParseSpan(arg, Value()) };
                    break;
                case "--signing-key":
                    options = options with { TokenSigningKey = Value() };
                    break;
                case "--help" or "-h" or "-?":
                    help = true;
                    break;
                default:
                    throw new FormatException($"Unknown option '{arg}'.");
            }
        }

        var directory = records switch
        {
            null => (findSamples ?? FindSharedSamples)() ?? DemoRecordsDirectory,
            "demo" => DemoRecordsDirectory,
            "none" => null,
            _ => records,
        };
        return new CommandLine(options with { RecordsDirectory = directory, Paging = paging, Throttling = throttling }, help);
    }

    /// <summary>The built-in demo records, copied next to the emulator's assembly.</summary>
    public static string DemoRecordsDirectory => Path.Combine(AppContext.BaseDirectory, "DemoRecords");

    /// <summary>The first <c>shared/samples</c> folder found in the current folder or one of its parents, or null.</summary>
    public static string? FindSharedSamples()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "samples");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Reads a time span: <c>10s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>, <c>-90m</c>, or <c>[-]hh:mm:ss</c>.</summary>
    /// <param name="option">The option name, for the error message.</param>
    /// <param name="text">The text.</param>
    /// <returns>The span.</returns>
    /// <exception cref="FormatException">Not a span.</exception>
    public static TimeSpan ParseSpan(string option, string text)
    {
        var t = text.Trim();
        (string Suffix, Func<double, TimeSpan> Make)[] units =
            [("ms", TimeSpan.FromMilliseconds), ("s", TimeSpan.FromSeconds), ("m", TimeSpan.FromMinutes), ("h", TimeSpan.FromHours), ("d", TimeSpan.FromDays)];
        foreach (var (suffix, make) in units)
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(t[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
            {
                return make(n);
            }
        }

        return TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out var span)
            ? span
            : throw new FormatException($"{option}: '{text}' is not a time span (use 10s, 500ms, 2m, 1h or hh:mm:ss).");
    }

    private static TimeSpan ParsePositiveSpan(string option, string text)
    {
        var span = ParseSpan(option, text);
        return span > TimeSpan.Zero ? span : throw new FormatException($"{option} must be positive.");
    }

    /// <summary>Reads <c>N[,HOURS]</c>: N records (a positive whole number), HOURS a positive number up to 168 (default 24).</summary>
    /// <param name="option">The option name, for the error message.</param>
    /// <param name="text">The text.</param>
    /// <returns>The backlog.</returns>
    /// <exception cref="FormatException">Not of that form.</exception>
    public static BacklogOptions ParseBacklog(string option, string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > 2)
        {
            throw new FormatException($"{option}: '{text}' is not N or N,HOURS.");
        }

        var backlog = new BacklogOptions(ParsePositiveInt(option, parts[0]));
        if (parts.Length == 1)
        {
            return backlog;
        }

        var hours = ParsePositiveNumber(option, parts[1]);
        return hours <= BacklogOptions.MaxWindow.TotalHours
            ? backlog with { Window = TimeSpan.FromHours(hours) }
            : throw new FormatException($"{option}: HOURS must be at most {BacklogOptions.MaxWindow.TotalHours} (7 days), not {parts[1]}.");
    }

    private static double ParsePositiveNumber(string option, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) && n > 0
            ? n
            : throw new FormatException($"{option}: '{text}' is not a positive number.");

    private static int ParsePositiveInt(string option, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new FormatException($"{option}: '{text}' is not a positive whole number.");

    private static Guid ParseGuid(string option, string text) =>
        Guid.TryParse(text, out var g) ? g : throw new FormatException($"{option}: '{text}' is not a GUID.");
}
