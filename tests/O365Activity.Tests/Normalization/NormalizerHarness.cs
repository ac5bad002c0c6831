using System.Collections.Immutable;
using System.Text.Json;
using O365Activity.Contracts.Activity;
using O365Activity.Grains.Normalization;

namespace O365Activity.Tests.Normalization;

/// <summary>Runs the normalizer on JSON text, with a fixed tenant (T1) and ingest time.</summary>
internal static class NormalizerHarness
{
    public static readonly Guid TenantT1 = Guid.Parse("9d0c4a1e-5b7f-4c2a-8e3d-1f2a3b4c5d6e");

    public static readonly DateTimeOffset IngestTime = new(2024, 6, 2, 10, 0, 0, TimeSpan.Zero);

    private static readonly AuditRecordNormalizer Default = new();

    public static NormalizationContext Context(params string[] federatedDomains) =>
        new(TenantT1, IngestTime, "Audit.AzureActiveDirectory", [.. federatedDomains]);

    public static NormalizedRecord Normalize(string json, AuditRecordNormalizer? normalizer = null, NormalizationContext? context = null)
    {
        using var document = JsonDocument.Parse(json);
        return (normalizer ?? Default).Normalize(document.RootElement, context ?? Context());
    }

    public static ImmutableArray<NormalizedRecord> NormalizeArray(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(e => Default.Normalize(e, Context()))];
    }

    public static IngressEvent Ingress(string json, AuditRecordNormalizer? normalizer = null, NormalizationContext? context = null)
    {
        var result = Normalize(json, normalizer, context);
        return Assert.IsType<IngressEvent>(result.Activity);
    }

    public static AdminEvent Admin(string json)
    {
        var result = Normalize(json);
        return Assert.IsType<AdminEvent>(result.Activity);
    }

    /// <summary>A minimal sign-in record with one field replaced or added (the value is raw JSON).</summary>
    public static string SignIn(string extraFields = "") =>
        $$"""
        {"CreationTime":"2024-08-29T23:59:58","Id":"7c8d9eaf-b0c1-42d3-a4f5-a6b7c8d9e0f1","Operation":"UserLoggedIn",
         "RecordType":15,"Workload":"AzureActiveDirectory","ResultStatus":"Success","UserType":0,
         "UserId":"frank@example.com"{{(extraFields.Length > 0 ? "," + extraFields : "")}}}
        """;
}
