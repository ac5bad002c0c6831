using Grpc.Core;
using O365Activity.Contracts;
using O365Activity.Gateway.Services;
using O365Activity.Protos.V1;
using O365Activity.Tests.Infrastructure;

namespace O365Activity.Tests.EndToEnd;

/// <summary>
/// Every free-text string of every gRPC request refuses control, format and separator characters with
/// <c>INVALID_ARGUMENT</c>, naming the field and never repeating the character (one check: <see cref="RequestText"/>).
/// Except the History service's user filter: user names come from the tenant's records, and one holding a control
/// character stays findable (CliServiceTests query such a user).
/// </summary>
[Collection(ServiceCollection.Name)]
public sealed class ControlCharacterTests(ServiceFixture service)
{
    /// <summary>The characters each field is tried with: C0 and C1 controls, DEL, the bidi overrides and isolates, marks, separators, a tag.</summary>
    public static readonly string[] Refused = ["\u0000", "\u0007", "\n", "\r", "\u001b", "\u007f", "\u0085", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c", "\u200b", "\ufeff", "\u2028", "\u2029", "\U000E0041"];

    public static TheoryData<string, string> Fields()
    {
        string[] fields =
        [
            "CreateEventSource.tenant_id", "CreateEventSource.display_name", "CreateEventSource.content_types", "CreateEventSource.federated_domains", "CreateEventSource.credential",
            "UpdateEventSource.tenant_id", "UpdateEventSource.display_name", "UpdateEventSource.content_types", "UpdateEventSource.federated_domains", "UpdateEventSource.credential",
            "GetEventSource.tenant_id", "DeleteEventSource.tenant_id", "RenewConsentUrl.tenant_id",
            "StreamIngress.tenant_id", "StreamAdmin.tenant_id", "StreamRaw.tenant_id",
            "ListIngress.tenant_id", "ListIngress.client_address", "ListIngress.page_token",
            "ListAdmin.tenant_id", "ListAdmin.client_address", "ListAdmin.page_token",
            "GetUserActivity.tenant_id", "ListLocations.tenant_id",
        ];
        var data = new TheoryData<string, string>();
        for (var i = 0; i < fields.Length; i++)
        {
            // Each field with two of the characters, so that every character is tried somewhere.
            data.Add(fields[i], Refused[(2 * i) % Refused.Length]);
            data.Add(fields[i], Refused[((2 * i) + 1) % Refused.Length]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public async Task AStringField_WithAControlCharacter_IsInvalidArgument_NamingTheField_WithoutTheCharacter(string call, string character)
    {
        var tenant = Guid.NewGuid().ToString();
        var field = call[(call.IndexOf('.', StringComparison.Ordinal) + 1)..];
        var bad = $"ex{character}ample";
        string Value(string name, string good) => name == field ? (name == "tenant_id" ? tenant + character : bad) : good;

        var error = await Assert.ThrowsAsync<RpcException>(() => InvokeAsync(call, Value));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("control character", error.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(character, error.Status.Detail, StringComparison.Ordinal);
        Assert.Null(VisibleText.FirstRefused(error.Status.Detail));
    }

    [Fact]
    public async Task CreateThenUpdate_WithPlainTextOfAnyScript_IsAccepted()
    {
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var tenant = Guid.NewGuid().ToString();

        var created = await sources.CreateEventSourceAsync(new CreateEventSourceRequest { TenantId = tenant, DisplayName = "Zoë & Søn 株式会社 — קונטוסו 🚀", FederatedDomains = { "fed.example.com" } });
        var updated = await sources.UpdateEventSourceAsync(new UpdateEventSourceRequest { TenantId = tenant, DisplayName = "Contoso Ltd. (ex-\u00abFabrikam\u00bb)" });

        Assert.Equal("Zoë & Søn 株式会社 — קונטוסו 🚀", created.DisplayName);
        Assert.Equal("Contoso Ltd. (ex-\u00abFabrikam\u00bb)", updated.DisplayName);
    }

    [Fact]
    public void RequestText_RefusesEveryCcCharacter_AndTheBidiControls_AndPassesOrdinaryText()
    {
        var controls = Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Concat(Enumerable.Range(0x202A, 5)).Concat(Enumerable.Range(0x2066, 4));
        foreach (var c in controls)
        {
            var error = Assert.Throws<RpcException>(() => RequestText.Check($"a{(char)c}b", "display_name"));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Equal($"display_name contains the control character U+{c:X4} at position 2 (a control, format or line-separator character): it must be plain, visible text on one line.", error.Status.Detail);
        }

        var list = Assert.Throws<RpcException>(() => RequestText.CheckAll(["ok.example.com", "bad\u202e.example.com"], "federated_domains"));
        Assert.StartsWith("federated_domains[1] contains the control character U+202E at position 4", list.Status.Detail, StringComparison.Ordinal);
        foreach (var ok in new[] { "", "ana@example.com", "Zoë 株式会社 🚀 קונטוסו", "203.0.113.0/24", "a b\u00a0c" })
        {
            Assert.Equal(ok, RequestText.Check(ok, "user"));
        }
    }

    private async Task InvokeAsync(string call, Func<string, string, string> value)
    {
        var sources = new EventSources.EventSourcesClient(service.Channel);
        var activity = new Activity.ActivityClient(service.Channel);
        var history = new History.HistoryClient(service.Channel);
        var tenant = value("tenant_id", Guid.NewGuid().ToString());
        switch (call.Split('.')[0])
        {
            case "CreateEventSource":
                await sources.CreateEventSourceAsync(new CreateEventSourceRequest
                {
                    TenantId = tenant,
                    DisplayName = value("display_name", "Contoso"),
                    ContentTypes = { "Audit.General", value("content_types", "Audit.Exchange") },
                    FederatedDomains = { "a.example.com", value("federated_domains", "b.example.com") },
                    Credential = value("credential", ""),
                });
                break;
            case "UpdateEventSource":
                await sources.UpdateEventSourceAsync(new UpdateEventSourceRequest
                {
                    TenantId = tenant,
                    DisplayName = value("display_name", "Contoso"),
                    ContentTypes = new StringList { Values = { value("content_types", "Audit.Exchange") } },
                    FederatedDomains = new StringList { Values = { value("federated_domains", "b.example.com") } },
                    Credential = value("credential", "default"),
                });
                break;
            case "GetEventSource":
                await sources.GetEventSourceAsync(new GetEventSourceRequest { TenantId = tenant });
                break;
            case "DeleteEventSource":
                await sources.DeleteEventSourceAsync(new DeleteEventSourceRequest { TenantId = tenant });
                break;
            case "RenewConsentUrl":
                await sources.RenewConsentUrlAsync(new RenewConsentUrlRequest { TenantId = tenant });
                break;
            case "StreamIngress":
                await ReadFirstAsync(activity.StreamIngress(new StreamRequest { TenantId = tenant }));
                break;
            case "StreamAdmin":
                await ReadFirstAsync(activity.StreamAdmin(new StreamRequest { TenantId = tenant }));
                break;
            case "StreamRaw":
                await ReadFirstAsync(activity.StreamRaw(new StreamRequest { TenantId = tenant }));
                break;
            case "ListIngress":
                await history.ListIngressAsync(new ListIngressRequest { TenantId = tenant, User = value("user", "ana@example.com"), ClientAddress = value("client_address", "203.0.113.7"), PageToken = value("page_token", "") });
                break;
            case "ListAdmin":
                await history.ListAdminAsync(new ListAdminRequest { TenantId = tenant, User = value("user", "ana@example.com"), ClientAddress = value("client_address", "203.0.113.7"), PageToken = value("page_token", "") });
                break;
            case "GetUserActivity":
                await history.GetUserActivityAsync(new GetUserActivityRequest { TenantId = tenant, User = value("user", "ana@example.com") });
                break;
            default:
                await history.ListLocationsAsync(new ListLocationsRequest { TenantId = tenant });
                break;
        }
    }

    private static async Task ReadFirstAsync<T>(AsyncServerStreamingCall<T> call)
    {
        using (call)
        {
            await call.ResponseStream.MoveNext(CancellationToken.None);
        }
    }
}
