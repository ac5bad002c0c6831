using System.Net;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using O365Activity.Contracts;
using O365Activity.Storage;
using O365Activity.Storage.History;
using O365Activity.Storage.InMemory;
using O365Activity.Storage.Postgres;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace O365Activity.Hosting;

/// <summary>
/// The one cluster composition that the silo, the gateway and the tests share: clustering, grain storage, reminders,
/// the stream provider and the event store, in the <see cref="ClusterMode.PostgreSql"/> or the
/// <see cref="ClusterMode.Local"/> variant (setting <c>Cluster:Mode</c>). <see cref="ServiceId"/> and the cluster id
/// are defined here and nowhere else.
/// </summary>
/// <remarks>
/// <para>PostgreSQL variant (DESIGN.md decision 6): every Orleans provider uses the ADO.NET invariant <c>Npgsql</c> over
/// the process's one <see cref="NpgsqlDataSource"/> (setting <c>Storage:ConnectionString</c>), on the schema of
/// <see cref="SchemaMigrator"/>, which runs before anything reads it. Tenant grain state is stored as
/// System.Text.Json (readable in the database, tolerant of added fields, enums as names, no .NET type names); stream
/// pub-sub state with the Orleans serializer (it holds grain ids and references that only Orleans can encode).</para>
/// <para>Membership is tuned so that a silo killed without warning is declared dead in about 10 seconds (probes every
/// 2 s, 3 missed probes to suspect, the table re-read every 5 s), and its tenants then re-activate on the survivors
/// (see the tenant recovery service in Grains).</para>
/// </remarks>
public static class ClusterComposition
{
    /// <summary>
    /// The Orleans service id: fixed for the life of the service, because grain state and reminders are keyed by it
    /// (ORLEANS-ADONET-CONTRACT.md §1.5). Changing it hides every event source.
    /// </summary>
    public const string ServiceId = "o365activity";

    /// <summary>The cluster id used when <c>Cluster:ClusterId</c> is not set.</summary>
    public const string DefaultClusterId = "o365activity";

    /// <summary>The ADO.NET invariant name of Npgsql (ORLEANS-ADONET-CONTRACT.md §1.3).</summary>
    public const string NpgsqlInvariant = "Npgsql";

    /// <summary>How long a pulling agent waits between reads of its stream queue, by default (<see cref="ClusterSettings.StreamPollPeriod"/>).</summary>
    public static readonly TimeSpan StreamPollPeriod = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The stream provider's queues. Each is read by a pulling agent every <see cref="StreamPollPeriod"/>, busy or not
    /// (Orleans' default of 8 was three quarters of an idle silo's fixed CPU, measured with perf); the notices they carry
    /// are small, one per commit, so two carry thousands a second and still spread over two silos.
    /// </summary>
    public const int StreamQueues = 2;

    /// <summary>Reads section <c>Cluster</c>, validated.</summary>
    /// <exception cref="InvalidOperationException">When a setting is invalid; the message names it.</exception>
    public static ClusterSettings GetClusterSettings(this IConfiguration configuration)
    {
        var settings = configuration.GetSection(ClusterSettings.SectionName).Get<ClusterSettings>() ?? new ClusterSettings();
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(settings, new(settings), results, validateAllProperties: true))
        {
            throw new InvalidOperationException($"Invalid {ClusterSettings.SectionName} settings: {string.Join(" ", results.Select(r => r.ErrorMessage))}");
        }

        settings.ParseAdvertisedAddress();
        return settings;
    }

    /// <summary>
    /// Composes a silo: cluster identity, endpoints and membership (<see cref="UseActivityClustering(ISiloBuilder, IConfiguration)"/>)
    /// plus storage, reminders, streams and the event store (<see cref="AddActivityStorage"/>).
    /// </summary>
    public static ISiloBuilder UseActivityCluster(this ISiloBuilder silo, IConfiguration configuration) =>
        silo.UseActivityClustering(configuration).AddActivityStorage(configuration);

    /// <summary>Cluster identity, endpoints and membership of a silo (left out by test hosts, which bring their own membership).</summary>
    public static ISiloBuilder UseActivityClustering(this ISiloBuilder silo, IConfiguration configuration)
    {
        var settings = configuration.GetClusterSettings();
        silo.Configure<ClusterOptions>(o =>
        {
            o.ServiceId = ServiceId;
            o.ClusterId = settings.ClusterId;
        });
        var address = settings.ParseAdvertisedAddress() ?? (settings.Mode == ClusterMode.Local ? IPAddress.Loopback : null);
        if (address is null)
        {
            silo.ConfigureEndpoints(settings.SiloPort, settings.GatewayPort);
        }
        else
        {
            silo.ConfigureEndpoints(address, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(address));
        }

        if (settings.Mode == ClusterMode.Local)
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: ServiceId, clusterId: settings.ClusterId);
            return silo;
        }

        silo.UseAdoNetClustering(options => options.Configure<NpgsqlDataSource>((o, dataSource) =>
        {
            o.Invariant = NpgsqlInvariant;
            o.DataSource = dataSource;
        }));
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(2);
            o.NumMissedProbesLimit = 3;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(5);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
            o.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
        });
        return silo;
    }

    /// <summary>Grain storage, reminders, the stream provider, the event store and the schema migration of a silo.</summary>
    public static ISiloBuilder AddActivityStorage(this ISiloBuilder silo, IConfiguration configuration)
    {
        var settings = configuration.GetClusterSettings();
        silo.Services.AddActivityStore(configuration, settings.Mode);
        silo.AddMemoryStreams(ActivityStreams.ProviderName, streams =>
        {
            streams.ConfigurePartitioning(StreamQueues);
            streams.ConfigurePullingAgent(agent => agent.Configure(o => o.GetQueueMsgsTimerPeriod = settings.StreamPollPeriod));
        });
        if (settings.Mode == ClusterMode.Local)
        {
            silo.AddMemoryGrainStorage(GrainStorageNames.Tenants);
            silo.AddMemoryGrainStorage(ActivityStreams.PubSubStore);
            silo.UseInMemoryReminderService();
            return silo;
        }

        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SchemaMigrationParticipant>();
        silo.UseSystemTextJsonGrainStorageSerializer();
        silo.Services.Configure<SystemTextJsonGrainStorageSerializerOptions>(o => o.JsonSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        silo.AddAdoNetGrainStorage(GrainStorageNames.Tenants, options => options.Configure<NpgsqlDataSource, IOptions<SystemTextJsonGrainStorageSerializerOptions>>((o, dataSource, json) =>
        {
            o.Invariant = NpgsqlInvariant;
            o.DataSource = dataSource;
            o.GrainStorageSerializer = new SystemTextJsonGrainStorageSerializer(json);
        }));
        silo.AddAdoNetGrainStorage(ActivityStreams.PubSubStore, options => options.Configure<NpgsqlDataSource, Serializer>((o, dataSource, serializer) =>
        {
            o.Invariant = NpgsqlInvariant;
            o.DataSource = dataSource;
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
        silo.UseAdoNetReminderService(options => options.Configure<NpgsqlDataSource>((o, dataSource) =>
        {
            o.Invariant = NpgsqlInvariant;
            o.DataSource = dataSource;
        }));
        return silo;
    }

    /// <summary>
    /// Composes an Orleans client (the gateway): cluster identity, gateway discovery (the membership table, or
    /// <c>Cluster:GatewayEndpoints</c> in <c>Local</c> mode), the stream provider and the event store. Connecting
    /// retries until a silo answers, so a gateway may start before the silos.
    /// </summary>
    public static IClientBuilder UseActivityCluster(this IClientBuilder client, IConfiguration configuration)
    {
        var settings = configuration.GetClusterSettings();
        client.Configure<ClusterOptions>(o =>
        {
            o.ServiceId = ServiceId;
            o.ClusterId = settings.ClusterId;
        });
        client.Services.AddActivityStore(configuration, settings.Mode);
        client.AddMemoryStreams(ActivityStreams.ProviderName, streams => streams.ConfigurePartitioning(StreamQueues));
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        client.UseConnectionRetryFilter<ConnectionRetryFilter>();
        client.AddActivityTelemetry(configuration);
        if (settings.Mode == ClusterMode.Local)
        {
            var endpoints = (settings.GatewayEndpoints.Length > 0 ? settings.GatewayEndpoints : [$"127.0.0.1:{settings.GatewayPort}"])
                .Select(e => IPEndPoint.TryParse(e, out var endpoint) ? endpoint
                    : throw new InvalidOperationException($"Cluster:GatewayEndpoints: '{e}' is not host:port with an IP address."))
                .ToArray();
            client.UseStaticClustering(endpoints);
            return client;
        }

        client.Services.AddSingleton<ILifecycleParticipant<IClusterClientLifecycle>, SchemaMigrationParticipant>();
        client.UseAdoNetClustering(options => options.Configure<NpgsqlDataSource>((o, dataSource) =>
        {
            o.Invariant = NpgsqlInvariant;
            o.DataSource = dataSource;
        }));
        return client;
    }

    /// <summary>
    /// Lets the database driver's exceptions (namespace <c>Npgsql</c>) cross grain calls: Orleans serializes only
    /// exceptions of allowed namespaces (<c>Microsoft</c>, <c>System</c>, <c>Azure</c> by default), and the caller of a
    /// grain whose database is down would otherwise get a <c>CodecNotFoundException</c> instead of the outage (which the
    /// gateway answers with <c>UNAVAILABLE</c>). Needed on silos and clients alike.
    /// </summary>
    public static IServiceCollection AllowStoreExceptions(this IServiceCollection services) =>
        services.Configure<Orleans.Serialization.ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Npgsql"));

    /// <summary>
    /// Registers the event store (<see cref="IEventStore"/>) of the variant, with <see cref="StorageOptions"/>
    /// (section <c>Storage</c>, validated at start). PostgreSql: one <see cref="NpgsqlDataSource"/> from
    /// <c>Storage:ConnectionString</c>, <see cref="PostgresEventStore"/> and <see cref="SchemaMigrator"/>. Local: one
    /// <see cref="InMemoryEventStore"/> (unless one is registered already, for example by a test). The store also serves
    /// as <see cref="IActivityHistory"/>.
    /// </summary>
    public static IServiceCollection AddActivityStore(this IServiceCollection services, IConfiguration configuration, ClusterMode mode)
    {
        services.AddOptions<StorageOptions>()
            .Bind(configuration.GetSection(StorageOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => mode == ClusterMode.Local || !string.IsNullOrWhiteSpace(o.ConnectionString),
                "Storage:ConnectionString must be set: the Npgsql connection string of the PostgreSQL database (or set Cluster:Mode to Local).")
            .ValidateOnStart();

        services.AllowStoreExceptions();
        // Both stores answer the history queries too.
        services.TryAddSingleton<IActivityHistory>(sp => (IActivityHistory)sp.GetRequiredService<IEventStore>());
        if (mode == ClusterMode.Local)
        {
            services.TryAddSingleton<InMemoryEventStore>();
            services.TryAddSingleton<IEventStore>(sp => sp.GetRequiredService<InMemoryEventStore>());
            return services;
        }

        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            NpgsqlConnectionStringBuilder connection;
            try
            {
                connection = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException($"Storage:ConnectionString is not an Npgsql connection string: {e.Message}", e);
            }

            if (options.PasswordFile is { Length: > 0 } passwordFile)
            {
                connection.Password = ReadPasswordFile(passwordFile);
            }

            if (string.IsNullOrEmpty(connection.ApplicationName))
            {
                connection.ApplicationName = "o365activity";
            }

            return new NpgsqlDataSourceBuilder(connection.ConnectionString)
                .UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>())
                .Build();
        });
        services.TryAddSingleton<IEventStore, PostgresEventStore>();
        services.TryAddSingleton<SchemaMigrator>();
        return services;
    }

    /// <summary>The database password in <c>Storage:PasswordFile</c>, without surrounding white space.</summary>
    /// <exception cref="InvalidOperationException">When the file cannot be read or is empty (the message names the setting and the path, never a content).</exception>
    private static string ReadPasswordFile(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim() is { Length: > 0 } password
                ? password
                : throw new InvalidOperationException($"Storage:PasswordFile: the file '{path}' is empty.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InvalidOperationException($"Storage:PasswordFile: the file '{path}' cannot be read: {e.Message}", e);
        }
    }
}
