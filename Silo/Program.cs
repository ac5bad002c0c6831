using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using O365Activity.Hosting;
using O365Activity.Storage;

namespace O365Activity.Silo;

/// <summary>
/// The silo host: <c>O365Activity.Silo</c> runs a silo until stopped (Ctrl-C or SIGTERM). Settings come from
/// <c>appsettings.json</c>, environment variables (<c>Storage__ConnectionString</c>, <c>Collector__ClientId</c>, …) and
/// the command line (<c>--Collector:ClientId=…</c>). <c>O365Activity.Silo migrate</c> applies the database schema's
/// migrations and exits (the silo also applies them when it starts).
/// </summary>
public static class Program
{
    /// <summary>Runs the silo, or the <c>migrate</c> command.</summary>
    /// <param name="args">Configuration overrides, or <c>migrate</c> followed by them.</param>
    /// <returns>The process exit code: 0, or 1 when <c>migrate</c> failed.</returns>
    public static async Task<int> Main(string[] args)
    {
        if (args is ["migrate", ..])
        {
            return await MigrateAsync(args[1..]);
        }

        var builder = Host.CreateApplicationBuilder(args);
        builder.UseOrleans(silo =>
        {
            silo.UseActivityClustering(builder.Configuration);
            silo.AddActivityCollector(builder.Configuration);
        });

        await builder.Build().RunAsync();
        return 0;
    }

    private static async Task<int> MigrateAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddActivityStore(builder.Configuration, ClusterMode.PostgreSql);
        using var host = builder.Build();
        try
        {
            var applied = await host.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
            Console.WriteLine(applied.Count == 0
                ? $"The schema is current (migration {SchemaMigrator.Migrations[^1].Version})."
                : $"Applied migrations {string.Join(", ", applied)}; the schema is at migration {SchemaMigrator.Migrations[^1].Version}.");
            return 0;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            await Console.Error.WriteLineAsync($"migrate: {e.Message}");
            return 1;
        }
    }
}
