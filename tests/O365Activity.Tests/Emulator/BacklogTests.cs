using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using O365Activity.Contracts.Activity;
using O365Activity.Emulator;
using O365Activity.Grains.Normalization;
using static O365Activity.Tests.Emulator.EmulatorKit;

namespace O365Activity.Tests.Emulator;

/// <summary>The synthetic backlog (<see cref="EmulatorOptions.Backlog"/>): counts, blob sizes, ids, determinism, the mix,
/// listing reach and the records' shape.</summary>
public sealed class BacklogTests
{
    private static readonly string[] MixTypes = ["Audit.AzureActiveDirectory", "Audit.SharePoint", "Audit.Exchange"];

    private static Task<EmulatorServer> StartWithBacklogAsync(
        int records, int blobSize = 50, int seed = 7, TimeSpan? window = null, FakeTimeProvider? clock = null, PagingBehavior? paging = null) =>
        StartAsync(clock ?? NewClock(), o => o with
        {
            Backlog = new BacklogOptions(records) { Window = window ?? TimeSpan.FromHours(24) },
            BlobSize = blobSize,
            GeneratorSeed = seed,
            Paging = paging ?? PagingBehavior.Default,
        });

    private static async Task<List<JsonElement>> FetchAllAsync(HttpClient api, IEnumerable<BlobInfo> blobs)
    {
        var records = new List<JsonElement>();
        foreach (var blob in blobs)
        {
            var (status, body) = await SendAsync(api, HttpMethod.Get, $"audit/{blob.ContentId}");
            Assert.True(status == 200, $"fetching {blob.ContentId}: expected 200, got {status} {body}");
            records.AddRange(Array(body));
        }

        return records;
    }

    [Fact]
    public async Task Backlog_AllThreeSubscriptionsStarted_GiveExactlyNRecordsSplit86_8_6InBlobsOfBlobSize()
    {
        await using var emulator = await StartWithBacklogAsync(1_000);
        emulator.State.EnableAllSubscriptions(T1);

        var counts = MixTypes.ToDictionary(ct => ct, ct => emulator.State.CountRecords(T1, ct));
        var sizes = MixTypes.ToDictionary(ct => ct, ct => emulator.State.GetBlobs(T1, ct).Select(b => b.RecordCount).ToList());

        Assert.Equal(1_000, emulator.State.CountRecords(T1));
        Assert.Equal(new Dictionary<string, long> { ["Audit.AzureActiveDirectory"] = 860, ["Audit.SharePoint"] = 80, ["Audit.Exchange"] = 60 }, counts);
        Assert.Equal([.. Enumerable.Repeat(50, 17), 10], sizes["Audit.AzureActiveDirectory"]);
        Assert.Equal([50, 30], sizes["Audit.SharePoint"]);
        Assert.Equal([50, 10], sizes["Audit.Exchange"]);
        Assert.Empty(emulator.State.GetBlobs(T1, "Audit.General"));
        Assert.Empty(emulator.State.GetBlobs(T1, "DLP.All"));
        Assert.Empty(emulator.State.GetBlobs(T2));
    }

    [Fact]
    public async Task Backlog_SubscriptionStartedAgain_AddsNothingMore()
    {
        await using var emulator = await StartWithBacklogAsync(1_000);
        emulator.State.EnableSubscription(T1, "Audit.SharePoint");
        emulator.State.DisableSubscription(T1, "Audit.SharePoint");
        emulator.State.EnableSubscription(T1, "Audit.SharePoint");

        Assert.Equal(80, emulator.State.CountRecords(T1));
    }

    [Fact]
    public async Task Backlog_FetchedRecords_HaveUniqueGuidIds_EqualToTheIdEnumeration()
    {
        await using var emulator = await StartWithBacklogAsync(1_000);
        emulator.State.EnableAllSubscriptions(T1);
        using var api = await ApiClientAsync(emulator, T1);
        var blobs = emulator.State.GetBlobs(T1);

        var fetched = (await FetchAllAsync(api, blobs)).Select(r => r.GetProperty("Id").GetString()!).ToList();
        var enumerated = emulator.State.EnumerateRecordIds(T1).ToList();
        var perBlob = blobs.SelectMany(b => emulator.State.GetRecordIds(b.ContentId)).ToList();

        Assert.Equal(1_000, fetched.Count);
        Assert.Equal(1_000, fetched.Distinct(StringComparer.Ordinal).Count());
        Assert.All(fetched, id => Assert.True(Guid.TryParseExact(id, "D", out var g) && g.ToString() == id, $"expected a lower-case GUID, got {id}"));
        Assert.All(fetched, id => Assert.Equal('4', id[14]));
        Assert.Equal(fetched, enumerated);
        Assert.Equal(fetched, perBlob);
        Assert.Equal(860, emulator.State.EnumerateRecordIds(T1, "audit.azureactivedirectory").Count());
    }

    [Fact]
    public async Task Backlog_SameSeedAndClock_ServesTheSameBytes_OtherSeedOrTenantOtherIds()
    {
        await using var a = await StartWithBacklogAsync(300, seed: 11);
        await using var b = await StartWithBacklogAsync(300, seed: 11);
        await using var c = await StartWithBacklogAsync(300, seed: 12);
        foreach (var emulator in new[] { a, b, c })
        {
            emulator.State.EnableAllSubscriptions(T1);
            emulator.State.EnableAllSubscriptions(T2);
        }

        using var apiA = await ApiClientAsync(a, T1);
        using var apiB = await ApiClientAsync(b, T1);
        var blobsA = a.State.GetBlobs(T1);
        var bodiesA = new List<string>();
        var bodiesB = new List<string>();
        foreach (var blob in blobsA)
        {
            bodiesA.Add((await SendAsync(apiA, HttpMethod.Get, $"audit/{blob.ContentId}")).Body);
            bodiesB.Add((await SendAsync(apiB, HttpMethod.Get, $"audit/{blob.ContentId}")).Body);
        }

        var idsA = a.State.EnumerateRecordIds(T1).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(blobsA.Select(x => x.ContentId), b.State.GetBlobs(T1).Select(x => x.ContentId));
        Assert.Equal(bodiesA, bodiesB);
        Assert.Equal(a.State.EnumerateRecordIds(T1), b.State.EnumerateRecordIds(T1));
        Assert.Equal(300, idsA.Count);
        Assert.Equal(0, c.State.EnumerateRecordIds(T1).Count(idsA.Contains));
        Assert.Equal(0, a.State.EnumerateRecordIds(T2).Count(idsA.Contains));
        Assert.Equal(11, a.State.GeneratorSeed);
    }

    [Fact]
    public async Task Backlog_IdsDependOnSeedTenantAndNumber_NotOnBlobSizeOrClock()
    {
        await using var small = await StartWithBacklogAsync(500, blobSize: 7, seed: 3);
        await using var large = await StartWithBacklogAsync(500, blobSize: 1_000, seed: 3, clock: NewClock(Start.AddDays(3)));
        small.State.EnableAllSubscriptions(T1);
        large.State.EnableAllSubscriptions(T1);

        Assert.Equal(small.State.EnumerateRecordIds(T1).Order(StringComparer.Ordinal), large.State.EnumerateRecordIds(T1).Order(StringComparer.Ordinal));
        Assert.Equal(3, large.State.GetBlobs(T1).Count);
    }

    [Fact]
    public async Task Backlog_Mix_SignInsMostly_AdminChangesSharePointAndExchangeInTheirContentTypes()
    {
        await using var emulator = await StartWithBacklogAsync(10_000, blobSize: 1_000);
        emulator.State.EnableAllSubscriptions(T1);
        using var api = await ApiClientAsync(emulator, T1);

        var byType = new Dictionary<string, List<JsonElement>>();
        foreach (var ct in MixTypes)
        {
            byType[ct] = await FetchAllAsync(api, emulator.State.GetBlobs(T1, ct));
        }

        static Dictionary<(int, string), int> Operations(List<JsonElement> records) =>
            records.GroupBy(r => (r.GetProperty("RecordType").GetInt32(), r.GetProperty("Operation").GetString()!)).ToDictionary(g => g.Key, g => g.Count());
        var aad = Operations(byType["Audit.AzureActiveDirectory"]);
        var sharePoint = Operations(byType["Audit.SharePoint"]);
        var exchange = Operations(byType["Audit.Exchange"]);
        var signIns = aad.Where(o => o.Key.Item1 == 15).Sum(o => o.Value);
        var failed = aad.GetValueOrDefault((15, "UserLoginFailed"));
        var admin = aad.Where(o => o.Key.Item1 == 8).Sum(o => o.Value);

        Assert.Equal((8_600, 800, 600), (byType["Audit.AzureActiveDirectory"].Count, byType["Audit.SharePoint"].Count, byType["Audit.Exchange"].Count));
        Assert.Equal(
            [(8, "Add member to group."), (8, "Add member to role."), (8, "Add user."), (8, "Change user license."), (8, "Reset user password."),
             (8, "Update user."), (15, "UserLoggedIn"), (15, "UserLoginFailed")],
            aad.Keys.Order());
        Assert.Equal([(4, "SitePermissionsModified"), (6, "FileAccessed"), (14, "GroupAdded")], sharePoint.Keys.Order());
        Assert.Equal([(1, "Set-Mailbox"), (50, "MailItemsAccessed")], exchange.Keys.Order());
        Assert.InRange(admin, 500, 700); // 6 of 86: about 600
        Assert.InRange(failed * 100 / signIns, 17, 23); // a fifth of the sign-ins fail
        Assert.InRange(sharePoint[(6, "FileAccessed")], 500, 620); // 70 %
        Assert.InRange(exchange[(50, "MailItemsAccessed")], 400, 500); // 75 %
        Assert.All(byType["Audit.AzureActiveDirectory"], r => Assert.Equal("AzureActiveDirectory", r.GetProperty("Workload").GetString()));
        Assert.All(byType["Audit.SharePoint"], r => Assert.Equal("SharePoint", r.GetProperty("Workload").GetString()));
        Assert.All(byType["Audit.Exchange"], r => Assert.Equal("Exchange", r.GetProperty("Workload").GetString()));
    }

    [Fact]
    public async Task Backlog_Records_AreAuditRecordsOfTheDocumentedShape_About1To1Point5KBEach()
    {
        await using var emulator = await StartWithBacklogAsync(3_000, blobSize: 500);
        emulator.State.EnableAllSubscriptions(T1);
        using var api = await ApiClientAsync(emulator, T1);
        var blobs = emulator.State.GetBlobs(T1);
        var lengths = new List<long>();
        var records = new List<JsonElement>();
        foreach (var blob in blobs)
        {
            using var response = await api.GetAsync($"audit/{blob.ContentId}");
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(body.Length, response.Content.Headers.ContentLength);
            using var json = JsonDocument.Parse(body);
            var slot = TimeSpan.FromHours(24) / emulator.State.GetBlobs(T1, blob.ContentType).Count;
            foreach (var record in json.RootElement.EnumerateArray())
            {
                var created = DateTimeOffset.Parse(record.GetProperty("CreationTime").GetString()! + "Z", System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(created, blob.ContentCreated - slot - TimeSpan.FromSeconds(1), blob.ContentCreated);
                lengths.Add(record.GetRawText().Length);
                records.Add(record.Clone());
            }
        }

        Assert.Equal(3_000, records.Count);
        Assert.InRange(lengths.Average(), 1_000, 1_500);
        Assert.InRange(lengths.Min(), 700, 1_500);
        Assert.InRange(lengths.Max(), 1_000, 2_000);
        Assert.All(records, r =>
        {
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$", r.GetProperty("CreationTime").GetString());
            Assert.Equal(T1.ToString(), r.GetProperty("OrganizationId").GetString());
            Assert.Equal(1, r.GetProperty("Version").GetInt32());
            Assert.Equal(JsonValueKind.String, r.GetProperty("UserId").ValueKind);
            Assert.Equal(JsonValueKind.String, r.GetProperty("UserKey").ValueKind);
        });
        var signIns = records.Where(r => r.GetProperty("RecordType").GetInt32() == 15).ToList();
        Assert.All(signIns, r =>
        {
            var failed = r.GetProperty("Operation").GetString() == "UserLoginFailed";
            Assert.Equal("Success", r.GetProperty("ResultStatus").GetString());
            Assert.Equal(r.GetProperty("ClientIP").GetString(), r.GetProperty("ActorIpAddress").GetString());
            Assert.Equal(failed, r.GetProperty("ErrorNumber").GetString() != "0");
            Assert.Equal(failed, r.TryGetProperty("LogonError", out _));
            Assert.True(Guid.TryParse(r.GetProperty("ApplicationId").GetString(), out _));
            Assert.Contains(r.GetProperty("DeviceProperties").EnumerateArray(), p => p.GetProperty("Name").GetString() == "OS");
            Assert.Contains(r.GetProperty("DeviceProperties").EnumerateArray(), p => p.GetProperty("Name").GetString() == "BrowserType");
            Assert.Contains(r.GetProperty("ExtendedProperties").EnumerateArray(), p => p.GetProperty("Name").GetString() == "UserAgent");
            Assert.Contains(r.GetProperty("ExtendedProperties").EnumerateArray(), p => p.GetProperty("Name").GetString() == "RequestType");
        });
        Assert.All(records.Where(r => r.GetProperty("RecordType").GetInt32() == 8), r =>
        {
            Assert.EndsWith(".", r.GetProperty("Operation").GetString(), StringComparison.Ordinal);
            Assert.False(r.TryGetProperty("ClientIP", out _), "Azure AD admin records carry the address in ActorIpAddress only");
            Assert.NotEqual("", r.GetProperty("ActorIpAddress").GetString());
            Assert.NotEmpty(r.GetProperty("ModifiedProperties").EnumerateArray());
            Assert.Equal(r.GetProperty("ObjectId").GetString(), r.GetProperty("Target")[0].GetProperty("ID").GetString());
        });
        Assert.All(records.Where(r => r.GetProperty("Operation").GetString() == "Set-Mailbox"), r =>
        {
            Assert.Equal(1, r.GetProperty("RecordType").GetInt32());
            Assert.Equal(r.GetProperty("ObjectId").GetString(), r.GetProperty("Parameters")[0].GetProperty("Value").GetString());
        });
        Assert.All(records.Where(r => r.GetProperty("Workload").GetString() == "SharePoint"), r =>
            Assert.StartsWith("https://share.example.com/sites/", r.GetProperty("ObjectId").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Backlog_Records_NormalizeToSignInsAndAdminEventsOfTheService()
    {
        await using var emulator = await StartWithBacklogAsync(2_000, blobSize: 1_000);
        emulator.State.EnableAllSubscriptions(T1);
        using var api = await ApiClientAsync(emulator, T1);
        var normalizer = new AuditRecordNormalizer();

        var kinds = new Dictionary<string, (int Ingress, int Admin, int Other)>(StringComparer.Ordinal);
        foreach (var blob in emulator.State.GetBlobs(T1))
        {
            foreach (var record in Array((await SendAsync(api, HttpMethod.Get, $"audit/{blob.ContentId}")).Body))
            {
                var result = normalizer.Normalize(record, new NormalizationContext(T1, Start, blob.ContentType, []));
                var operation = record.GetProperty("Operation").GetString()!;
                var (ingress, admin, other) = kinds.GetValueOrDefault(operation);
                kinds[operation] = result.Activity switch
                {
                    IngressEvent => (ingress + 1, admin, other),
                    AdminEvent => (ingress, admin + 1, other),
                    _ => (ingress, admin, other + 1),
                };
                Assert.Empty(result.Warnings);
                Assert.Equal(record.GetProperty("Id").GetString(), result.Raw.RecordId);
                if (result.Activity is IngressEvent signIn)
                {
                    Assert.Equal(operation == "UserLoggedIn", signIn.Result == SignInResult.Success);
                    Assert.NotNull(signIn.ClientAddress);
                    Assert.NotNull(signIn.UserAgent);
                }
                else if (result.Activity is AdminEvent change)
                {
                    Assert.NotEqual(AdminAction.Other, change.Action);
                    Assert.NotNull(change.ActorAddress);
                }
            }
        }

        Assert.All(kinds, k => Assert.True(
            k.Key is "UserLoggedIn" or "UserLoginFailed" ? k.Value.Admin + k.Value.Other == 0
            : k.Key is "FileAccessed" or "MailItemsAccessed" ? k.Value.Ingress + k.Value.Admin == 0
            : k.Value.Ingress + k.Value.Other == 0,
            $"{k.Key}: {k.Value}"));
        Assert.Equal(2_000, kinds.Values.Sum(k => k.Ingress + k.Admin + k.Other));
    }

    [Fact]
    public async Task Backlog_48Hours_TwoConsecutive24HourListingsWithPaging_ReturnEveryBlobOnce()
    {
        await using var emulator = await StartWithBacklogAsync(1_000, blobSize: 10, window: TimeSpan.FromHours(48), paging: PagingBehavior.Default with { PageSize = 7 });
        emulator.State.EnableSubscription(T1, "Audit.AzureActiveDirectory");
        using var api = await ApiClientAsync(emulator, T1);

        var listed = new List<string>();
        var created = new List<string>();
        foreach (var (from, to) in new[] { (Start.AddHours(-48), Start.AddHours(-24)), (Start.AddHours(-24), Start) })
        {
            var next = Content("Audit.AzureActiveDirectory", from, to);
            while (next is not null)
            {
                using var response = await api.GetAsync(next);
                Assert.Equal(200, (int)response.StatusCode);
                var entries = Array(await response.Content.ReadAsStringAsync());
                listed.AddRange(entries.Select(e => e.GetProperty("contentId").GetString()!));
                created.AddRange(entries.Select(e => e.GetProperty("contentCreated").GetString()!));
                next = response.Headers.TryGetValues("NextPageUri", out var values) ? values.Single() : null;
            }
        }

        var blobs = emulator.State.GetBlobs(T1);
        Assert.Equal(86, blobs.Count);
        Assert.Equal(blobs.Select(b => b.ContentId), listed);
        Assert.Equal("2024-06-01T09:59:59.999Z", created[^1]);
        Assert.True(blobs[0].ContentCreated > Start.AddHours(-48), $"oldest blob {blobs[0].ContentCreated:O} is outside the 48 h window");
        Assert.All(blobs, b => Assert.Equal(b.ContentCreated, b.VisibleAt));
        Assert.All(blobs, b => Assert.Equal(b.ContentCreated.AddDays(7), b.ContentExpiration));
    }

    [Fact]
    public async Task Backlog_OneMillionRecords_IsMadeAtOnce_AndAnyBlobFetches()
    {
        await using var emulator = await StartWithBacklogAsync(1_000_000, blobSize: 1_000);
        emulator.State.EnableAllSubscriptions(T1);
        using var api = await ApiClientAsync(emulator, T1);
        var blobs = emulator.State.GetBlobs(T1);

        var last = Array((await SendAsync(api, HttpMethod.Get, $"audit/{blobs[^1].ContentId}")).Body);

        Assert.Equal(1_000_000, emulator.State.CountRecords(T1));
        Assert.Equal(1_000, blobs.Count);
        Assert.Equal(1_000, last.Length);
        Assert.Equal(emulator.State.GetRecordIds(blobs[^1].ContentId), last.Select(r => r.GetProperty("Id").GetString()));
    }

    [Fact]
    public async Task Backlog_BlobOverTheBufferLimit_IsStreamed_WithContentLengthAndTheSameBytesEachTime()
    {
        await using var emulator = await StartWithBacklogAsync(7_000, blobSize: 6_000);
        emulator.State.EnableSubscription(T1, "Audit.AzureActiveDirectory");
        using var api = await ApiClientAsync(emulator, T1);
        var big = emulator.State.GetBlobs(T1)[0];

        var bodies = new List<byte[]>();
        for (var i = 0; i < 2; i++)
        {
            using var response = await api.GetAsync($"audit/{big.ContentId}");
            bodies.Add(await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(bodies[i].Length, response.Content.Headers.ContentLength);
        }

        using var json = JsonDocument.Parse(bodies[0]);

        Assert.Equal(6_000, big.RecordCount);
        Assert.True(bodies[0].Length > O365Activity.Emulator.Content.GeneratedBlobContent.BufferLimit, $"expected more than the buffer limit, got {bodies[0].Length} bytes");
        Assert.Equal(bodies[0], bodies[1]);
        Assert.Equal(emulator.State.GetRecordIds(big.ContentId), json.RootElement.EnumerateArray().Select(r => r.GetProperty("Id").GetString()));
    }

    [Fact]
    public async Task StartAsync_BacklogWindowOver7DaysOrNoRecords_ThrowsNamingTheSetting()
    {
        var tooLong = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            EmulatorServer.StartAsync(new EmulatorOptions { Backlog = new BacklogOptions(10) { Window = TimeSpan.FromDays(7.5) } }));
        var none = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => EmulatorServer.StartAsync(new EmulatorOptions { Backlog = new BacklogOptions(0) }));

        Assert.Contains("EmulatorOptions.Backlog.Window", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains("EmulatorOptions.Backlog.Records", none.Message, StringComparison.Ordinal);
    }
}
