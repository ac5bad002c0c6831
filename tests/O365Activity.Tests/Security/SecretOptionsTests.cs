using System.Reflection;
using O365Activity.Grains.Collection;
using O365Activity.Storage;

namespace O365Activity.Tests.Security;

/// <summary>
/// Every options type of the service with a property marked Orleans' <see cref="Orleans.RedactAttribute"/> (or
/// <see cref="Orleans.RedactConnectionStringAttribute"/>) prints none of its secrets:
/// not from <see cref="object.ToString"/>, which is what an options dump or a log line of the options shows.
/// </summary>
public sealed class SecretOptionsTests
{
    private const string Secret = "s3cr3t-Zq9vX-never-printed";

    /// <summary>The service's assemblies, found through a type of each.</summary>
    private static readonly Assembly[] Assemblies =
    [
        typeof(O365Activity.Contracts.CloudName).Assembly,
        typeof(StorageOptions).Assembly,
        typeof(CollectorOptions).Assembly,
        typeof(O365Activity.Hosting.ClusterMode).Assembly,
        typeof(O365Activity.Gateway.GatewayOptions).Assembly,
        typeof(O365Activity.Silo.Program).Assembly,
    ];

    public static TheoryData<Type> TypesWithSecrets()
    {
        var data = new TheoryData<Type>();
        foreach (var type in FoundTypes())
        {
            data.Add(type);
        }

        return data;
    }

    [Fact]
    public void TheSecretsOfTheServiceAreMarked()
    {
        // The enumeration finds what it must: a test of nothing would pass too.
        var types = FoundTypes();
        Assert.Contains(typeof(ApplicationCredential), types);
        Assert.Contains(typeof(CollectorOptions), types);
        Assert.Contains(typeof(StorageOptions), types);
        Assert.Equal(
            ["CertificatePassword", "ClientSecret"],
            SecretProperties(typeof(ApplicationCredential)).Select(p => p.Name).Order());
        Assert.Equal(["ConnectionString"], SecretProperties(typeof(StorageOptions)).Select(p => p.Name));
    }

    [Theory]
    [MemberData(nameof(TypesWithSecrets))]
    public void ToString_ShowsNoSecret(Type type)
    {
        var options = Activator.CreateInstance(type)
            ?? throw new InvalidOperationException($"{type} has no public parameterless constructor.");
        foreach (var property in SecretProperties(type))
        {
            // A value that is a secret as it is and a connection string with a password: both forms must be hidden.
            property.SetValue(options, $"Host=db.example.net;Username=o365activity;Password={Secret}");
        }

        var text = options.ToString() ?? "";

        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("Zq9vX", text, StringComparison.Ordinal);
    }

    [Fact]
    public void StorageOptions_ShowTheConnectionWithoutItsPassword()
    {
        var options = new StorageOptions { ConnectionString = $"Host=db.example.net;Port=5432;Username=o365activity;Password={Secret}" };

        var text = options.ToString();

        Assert.Contains("db.example.net", text, StringComparison.Ordinal);
        Assert.Contains("o365activity", text, StringComparison.Ordinal);
        Assert.Contains("[redacted]", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, StorageOptions.RedactedConnectionString($"Host=x;Password={Secret};Bogus Key=1"), StringComparison.Ordinal);
    }

    [Fact]
    public void ACredentialsDictionary_ShowsNoSecretOfItsCredentials()
    {
        var options = new CollectorOptions { ClientId = Guid.NewGuid().ToString(), ClientSecret = Secret };
        options.Credentials["gov"] = new ApplicationCredential { ClientId = Guid.NewGuid().ToString(), CertificatePath = "/x.pfx", CertificatePassword = Secret };

        var text = options + " " + string.Join(", ", options.Credentials.Select(c => $"{c.Key}: {c.Value}"));

        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.Contains("client secret", text, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretsFromFiles_AreRead_WithoutTheirLineBreak_AndAMissingFileIsNamed()
    {
        var folder = Directory.CreateTempSubdirectory("secret-files-");
        try
        {
            var secretFile = Path.Combine(folder.FullName, "client-secret");
            File.WriteAllText(secretFile, Secret + "\n");
            var credential = new ApplicationCredential { ClientId = Guid.NewGuid().ToString(), ClientSecretFile = secretFile };

            Assert.Null(credential.Problem("Collector"));
            Assert.Equal(Secret, credential.Secret());
            Assert.Equal("client secret", credential.Kind);
            Assert.DoesNotContain(Secret, credential.ToString(), StringComparison.Ordinal);

            var missing = new ApplicationCredential { ClientId = Guid.NewGuid().ToString(), ClientSecretFile = Path.Combine(folder.FullName, "absent") };
            Assert.Contains("Collector:ClientSecretFile", missing.Problem("Collector"), StringComparison.Ordinal);
            var both = new ApplicationCredential { ClientId = Guid.NewGuid().ToString(), ClientSecret = Secret, ClientSecretFile = secretFile };
            Assert.Contains("not both", both.Problem("Collector"), StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, both.Problem("Collector")!, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static List<Type> FoundTypes() =>
        [.. Assemblies.SelectMany(a => a.GetTypes()).Where(t => t is { IsClass: true, IsAbstract: false } && SecretProperties(t).Any()).OrderBy(t => t.FullName)];

    private static IEnumerable<PropertyInfo> SecretProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.IsDefined(typeof(Orleans.RedactAttribute), inherit: true) && p.PropertyType == typeof(string));
}
