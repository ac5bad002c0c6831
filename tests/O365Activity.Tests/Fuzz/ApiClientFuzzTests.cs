using System.Net;
using System.Text;
using FsCheck.Fluent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using O365Activity.Emulator;
using O365Activity.Grains.Collection;
using O365Activity.Grains.Normalization;
using O365Activity.Tests.Collection;
using Xunit.Abstractions;

namespace O365Activity.Tests.Fuzz;

/// <summary>
/// The Management Activity API client's parsers on hostile answers, over real HTTP from the emulator (its fault rules
/// answer any status, headers and bytes): the content listing's JSON and its <c>NextPageUri</c>, the error body with its
/// AF code, <c>Retry-After</c>, a blob's body, and the token endpoint's answer (MSAL's parse, then the token's audience).
/// Only the documented exceptions come out (<see cref="ManagementApiException"/>, <see cref="TokenAcquisitionException"/>).
/// Each request is sent once: the fuzz client has no retry pipeline, so an answer the service would retry costs no
/// back-off here, and the parsers see every answer.
/// </summary>
public sealed class ApiClientFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ClientId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private const string Secret = "fuzz-test-secret";
    private const string Aad = "Audit.AzureActiveDirectory";
    private static readonly int[] Statuses = [200, 200, 200, 204, 400, 401, 403, 404, 408, 429, 500, 503];

    private static readonly string[] RetryAfters =
    [
        "0", "-1", "5", "6", "120", "999999999999", "99999999999999999999", "1.5", " 7 ", "Wed, 21 Oct 2015 07:28:00 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "garbage", "", "1, 2", "\u0000", "\r\n7", "\u202E9",
    ];

    private readonly Guid _tenant = Guid.NewGuid();
    private EmulatorServer _emulator = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _emulator = await EmulatorServer.StartAsync(new EmulatorOptions { ClientId = ClientId, ClientSecret = Secret, AutoConsentAllTenants = true });
        var values = new Dictionary<string, string?>
        {
            ["Collector:ClientId"] = ClientId,
            ["Collector:ClientSecret"] = Secret,
            ["Collector:LoginEndpoint"] = _emulator.BaseUrl.ToString(),
            ["Collector:ManagementApiEndpoint"] = _emulator.BaseUrl.ToString(),
        };
        _services = CollectorServices.Create(values, services =>
            services.Configure<HttpClientFactoryOptions>(ManagementApiClient.HttpClientName, o => o.HttpMessageHandlerBuilderActions.Clear()));
        _emulator.State.EnableSubscription(_tenant, Aad);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public void ListContent_HostileAnswers_GiveBlobsOrAManagementApiException()
    {
        var client = _services.GetRequiredService<ManagementApiClient>();
        var api = _emulator.BaseUrl.ToString().TrimEnd('/');
        string[] listings =
        [
            $$"""[{"contentType":"Audit.AzureActiveDirectory","contentId":"b1","contentUri":"{{api}}/api/v1.0/{{_tenant}}/activity/feed/audit/b1","contentCreated":"2024-06-01T08:00:00.000Z","contentExpiration":"2024-06-08T08:00:00.000Z"},{"contentId":"b2","contentUri":"http://203.0.113.9/x","contentCreated":"2024-06-01T08:00:00Z"}]""",
            """{"error":{"code":"AF20022","message":"No subscription found for the specified content type"}}""",
            """{"error":{"code":"AF429","message":"Too many requests. Method=GetBlob, PublisherId=00000000-0000-0000-0000-000000000000"}}""",
            """{"error":{"code":{"inner":"AF10001"},"message":["not","a","string"]}}""",
            "[]",
            "null",
        ];
        var answers =
            from status in Gen.Elements(Statuses)
            from body in HostileRecords.Mutated(listings)
            from nextPage in Gen.Elements(NextPages(api))
            from retryAfter in Gen.Elements(RetryAfters.Where(v => v.All(c => c is >= ' ' and <= '~')))
            from headers in Gen.Choose(0, 3)
            select (status, body, nextPage, retryAfter, headers);

        Fuzzing.Check(output, "API client: listing", answers, async answer =>
        {
            var headers = new Dictionary<string, string>();
            if ((answer.headers & 1) != 0)
            {
                headers["NextPageUri"] = answer.nextPage;
            }

            if ((answer.headers & 2) != 0)
            {
                headers["Retry-After"] = answer.retryAfter;
            }

            using var fault = _emulator.State.InjectFault(Rule(RequestKind.ListContent, answer.status, answer.body.Bytes, headers));
            var now = DateTimeOffset.UtcNow;
            try
            {
                var blobs = await client.ListContentAsync(_tenant, Aad, now.AddHours(-1), now, CancellationToken.None);
                Assert.All(blobs, b => Assert.True(b.ContentId.Length > 0 && b.ContentUri.Length > 0));
            }
            catch (ManagementApiException e)
            {
                Assert.False(string.IsNullOrEmpty(e.Message));
                Assert.True(e.RetryAfter is null || e.RetryAfter >= TimeSpan.Zero);
                _ = ApiErrorText.Explain(e);
                _ = ApiErrorText.CodeOf(e);
            }
        }, ciCases: 200);
    }

    [Fact]
    public void FetchContent_HostileBlobBodies_YieldRecordsThePipelineStores_OrAManagementApiException()
    {
        var client = _services.GetRequiredService<ManagementApiClient>();
        var normalizer = new AuditRecordNormalizer();
        var context = new NormalizationContext(_tenant, DateTimeOffset.UtcNow, Aad, []) { KeepRawJson = false };
        var bodies =
            from count in Gen.Choose(0, 6)
            from records in Gen.ArrayOf(HostileRecords.Record(), count)
            from cut in Gen.Frequency((3, Gen.Constant<HostileInput?>(null)), (1, HostileRecords.Record().Select(r => (HostileInput?)r)))
            select ReaderFuzzTests.Body(records, cut);

        Fuzzing.Check(output, "API client: blob bodies", bodies, async body =>
        {
            var blob = new ContentBlob { ContentId = "fuzz", ContentUri = new Uri(_emulator.BaseUrl, $"api/v1.0/{_tenant}/activity/feed/audit/fuzz").ToString() };
            using var fault = _emulator.State.InjectFault(Rule(RequestKind.GetBlob, 200, body.Bytes, []));
            var records = 0;
            try
            {
                await foreach (var record in client.FetchContentAsync(_tenant, blob, CancellationToken.None))
                {
                    records++;
                    _ = CollectionPipeline.Prepare(normalizer, record, context, out _, out _);
                }
            }
            catch (ManagementApiException)
            {
                // The documented outcome of a body that is not a JSON array: the blob fails alone, and is fetched again.
                return;
            }

            // Read to its end: every element of the array came out.
            using var document = System.Text.Json.JsonDocument.Parse(body.Bytes);
            Assert.Equal(document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Array ? document.RootElement.GetArrayLength() : 0, records);
        }, ciCases: 150);
    }

    [Fact]
    public void TokenEndpoint_HostileAnswers_GiveATokenOrATokenAcquisitionException()
    {
        var tokens = _services.GetRequiredService<ITokenProvider>();
        string[] answers =
        [
            """{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJhbGciOiJub25lIn0.eyJhdWQiOiJodHRwczovL21hbmFnZS5vZmZpY2UuY29tIn0.x"}""",
            """{"token_type":"Bearer","expires_in":"3599","refresh_in":1800,"access_token":"not-a-jwt"}""",
            """{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215],"timestamp":"2024-06-01 08:00:00Z","trace_id":"x","correlation_id":"y"}""",
            """{"error":"unauthorized_client","error_description":"AADSTS700016: Application not found in the directory.","error_codes":[700016]}""",
        ];
        var cases =
            from status in Gen.Elements(200, 200, 400, 401, 403)
            from body in HostileRecords.Mutated(answers)
            select (status, body);

        Fuzzing.Check(output, "API client: token answers", cases, async answer =>
        {
            using var fault = _emulator.State.InjectFault(Rule(RequestKind.Token, answer.status, answer.body.Bytes, []));
            try
            {
                var token = await tokens.GetTokenAsync(_tenant, forceRefresh: true, CancellationToken.None);
                Assert.False(string.IsNullOrEmpty(token));
            }
            catch (TokenAcquisitionException e)
            {
                Assert.False(string.IsNullOrEmpty(e.Error));
            }
        }, ciCases: 150);
    }

    [Fact]
    public void RetryAfter_AndErrorBodies_OfAnyText_AreReadWithoutThrowing()
    {
        var texts = Gen.OneOf(
            Gen.Elements(RetryAfters),
            HostileRecords.RandomBytes().Select(b => Encoding.UTF8.GetString(b)),
            HostileRecords.Record().Select(r => Encoding.UTF8.GetString(r.Bytes)));
        var cases =
            from retryAfter in texts
            from date in Gen.Elements("", "Wed, 21 Oct 2015 07:28:00 GMT", "garbage", "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT")
            from status in Gen.Choose(0, 999)
            from body in texts
            select (retryAfter, date, status, body);

        Fuzzing.Check(output, "API client: Retry-After and error bodies", cases, answer =>
        {
            using var response = new HttpResponseMessage((HttpStatusCode)answer.status);
            response.Headers.TryAddWithoutValidation("Retry-After", answer.retryAfter);
            response.Headers.TryAddWithoutValidation("Date", answer.date);
            var wait = ApiRetryPolicy.RetryAfter(response);
            Assert.True(wait is null || wait >= TimeSpan.Zero);
            var delay = ApiRetryPolicy.Delay(answer.status % 5, wait, 0.5);
            Assert.InRange(delay, ApiRetryPolicy.Floor, ApiRetryPolicy.MaxInlineWait);

            var error = ManagementApiException.FromResponse((HttpStatusCode)answer.status, answer.body, "listing Audit.General content", wait);
            Assert.True(error.RawBody is null || error.RawBody.Length <= 4000);
            _ = ApiErrorText.Explain(error);
            _ = MsalTokenProvider.Audience(answer.body);
            _ = MsalTokenProvider.Audience("e30." + Convert.ToBase64String(Encoding.UTF8.GetBytes(answer.body)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + ".sig");
            return Task.CompletedTask;
        }, ciCases: 500);
    }

    /// <summary>Found by the listing property: the serializer throws InvalidOperationException for such a string.</summary>
    [Fact]
    public async Task Listing_WithAnUnpairedSurrogateEscape_IsAManagementApiException()
    {
        var client = _services.GetRequiredService<ManagementApiClient>();
        using var fault = _emulator.State.InjectFault(Rule(RequestKind.ListContent, 200, Encoding.ASCII.GetBytes("""[{"contentId":"\ud800","contentUri":"x"}]"""), []));
        var now = DateTimeOffset.UtcNow;

        var error = await Assert.ThrowsAsync<ManagementApiException>(() => client.ListContentAsync(_tenant, Aad, now.AddHours(-1), now, CancellationToken.None));

        Assert.Contains("not the JSON the API documents", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Found by the listing property: reading the error's code threw InvalidOperationException out of the client.</summary>
    [Fact]
    public async Task ErrorBody_WithAnUnpairedSurrogateEscapeInAName_IsAnApiErrorWithItsBody()
    {
        var client = _services.GetRequiredService<ManagementApiClient>();
        var body = """{"error":{"co\ud800de":"AF20022","message":"x"}}""";
        using var fault = _emulator.State.InjectFault(Rule(RequestKind.ListContent, 400, Encoding.ASCII.GetBytes(body), []));
        var now = DateTimeOffset.UtcNow;

        var error = await Assert.ThrowsAsync<ManagementApiException>(() => client.ListContentAsync(_tenant, Aad, now.AddHours(-1), now, CancellationToken.None));

        Assert.Equal((HttpStatusCode.BadRequest, (string?)null, body), (error.Status, error.Code, error.RawBody));
    }

    /// <summary>Found by the token property: MSAL let the JsonException of an answer it could not read escape.</summary>
    [Fact]
    public async Task TokenAnswer_WithAFieldOfAnotherType_IsATokenAcquisitionException()
    {
        var tokens = _services.GetRequiredService<ITokenProvider>();
        var body = """{"token_type":"Bearer","expires_in":3599,"access_token":"x","correlation_id":[1]}""";
        using var fault = _emulator.State.InjectFault(Rule(RequestKind.Token, 200, Encoding.UTF8.GetBytes(body), []));

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => tokens.GetTokenAsync(_tenant, forceRefresh: true, CancellationToken.None));

        Assert.Equal("invalid_response", error.Error);
        Assert.False(ApiErrorText.NeedsAttention(error));
    }

    /// <summary>Found by the long run: MSAL threw NullReferenceException for an empty answer.</summary>
    [Fact]
    public async Task TokenAnswer_Empty_IsATokenAcquisitionException()
    {
        var tokens = _services.GetRequiredService<ITokenProvider>();
        using var fault = _emulator.State.InjectFault(Rule(RequestKind.Token, 200, [], []));

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => tokens.GetTokenAsync(_tenant, forceRefresh: true, CancellationToken.None));

        Assert.Equal("invalid_response", error.Error);
    }

    /// <summary>Found by the long run: a token whose payload has an unpaired surrogate escape in a name threw out of the audience check.</summary>
    [Fact]
    public void Audience_OfATokenWithAnUnreadableName_IsNone()
    {
        var payload = Convert.ToBase64String(Encoding.ASCII.GetBytes("""{"\udfffx":1}""")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.Null(MsalTokenProvider.Audience($"e30.{payload}.sig"));
    }

    private string[] NextPages(string api) =>
    [
        $"{api}/api/v1.0/{_tenant}/activity/feed/subscriptions/content?contentType={Aad}&nextPage=fuzz",
        $"{api}/api/v1.0/{_tenant}/activity/feed/subscriptions/content?contentType={Aad}&startTime=x&endTime=y",
        "http://203.0.113.9/api/v1.0/x", "/relative/path", "javascript:alert(1)", api + "/" + new string('a', 4000), api + "/%", api + "/..%2f..%2f",
        "  ", "ftp://127.0.0.1/", "http://127.0.0.1:1/", api + "?%ZZ", "http://user:pass@127.0.0.1/", "not a url",
    ];

    private FaultRule Rule(RequestKind kind, int status, byte[] body, Dictionary<string, string> headers) => new()
    {
        Kind = kind,
        TenantId = _tenant,
        Times = 1,
        StatusCode = status,
        BodyBytes = body,
        ContentType = "application/json; charset=utf-8",
        Headers = headers,
    };
}
