using O365Activity.Emulator;
using static O365Activity.Tests.Emulator.EmulatorKit;

namespace O365Activity.Tests.Emulator;

/// <summary>Audit records from a folder: formats, skipped input, content types, blobs per tenant; the demo set and the generator.</summary>
public sealed class FolderContentTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "emulator-records-" + Guid.NewGuid().ToString("N"));

    public FolderContentTests()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "nested"));
        File.WriteAllText(Path.Combine(_folder, "a-array.json"), $"""
            [
              {Record("55555555-0000-4000-8000-000000000001")},
              42,
              {Record("55555555-0000-4000-8000-000000000002", "Add user.", 8)}
            ]
            """);
        File.WriteAllText(Path.Combine(_folder, "b-lines.log"), string.Join("\n",
            Record("55555555-0000-4000-8000-000000000003", "Set-Mailbox", 1, "Exchange"),
            "",
            "{\"Id\":\"broken\",",
            "[1,2]",
            Record("55555555-0000-4000-8000-000000000004", "FileAccessed", 6, "OneDrive") + "\r",
            """{"Id":"55555555-0000-4000-8000-000000000005","RecordType":"13","Operation":"DlpRuleMatch"}""") + "\n");
        File.WriteAllText(Path.Combine(_folder, "nested", "c-pipeline.json"), $$"""
            {"events":[{"o365audit":{{Record("55555555-0000-4000-8000-000000000006", "MemberAdded", 25, "MicrosoftTeams")}}},{"other":1}]}
            """);
        File.WriteAllText(Path.Combine(_folder, "nested", "d-one.jsonl"), """{"Id":"55555555-0000-4000-8000-000000000007","Workload":"AzureActiveDirectory","Operation":"UserLoginFailed"}""");
        File.WriteAllText(Path.Combine(_folder, "e-single.json"), """{"Id":"55555555-0000-4000-8000-000000000008","RecordType":14,"Operation":"SharingSet"}""");
        File.WriteAllText(Path.Combine(_folder, "f-bad.json"), """[{"Id":"x"},""");
        File.WriteAllText(Path.Combine(_folder, "g-rules.yml"), "Tests:\n  - Log: {}\n");
        File.WriteAllText(Path.Combine(_folder, "h-notes.md"), "# not records\n");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Folder_LoadsEveryFormat_SkipsBadInputWithFileAndLine_IgnoresOtherFiles()
    {
        await using var emulator = await StartAsync(NewClock(), o => o with { RecordsDirectory = _folder });

        var report = emulator.State.FolderLoad!;

        Assert.Equal(6, report.FilesRead);
        Assert.Equal(8, report.RecordsLoaded);
        Assert.Equal(
            new Dictionary<string, int>
            {
                ["Audit.AzureActiveDirectory"] = 3,
                ["Audit.Exchange"] = 1,
                ["Audit.SharePoint"] = 2,
                ["DLP.All"] = 1,
                ["Audit.General"] = 1,
            },
            report.RecordsByContentType);
        Assert.Equal(
            [("a-array.json", 3), ("b-lines.log", 3), ("b-lines.log", 4), ("f-bad.json", 1), ("c-pipeline.json", 0)],
            report.Skipped.Select(s => (Path.GetFileName(s.File), s.Line)));
        Assert.Contains("events[1]", report.Skipped[4].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Folder_ContentAppearsForAnyTenantOnSubscribe_InBlobsOfBlobSize_WithItsOrganizationId()
    {
        var clock = NewClock(Start.AddMilliseconds(700));
        var anyTenant = Guid.Parse("6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c");
        await using var emulator = await StartAsync(clock, o => o with { RecordsDirectory = _folder, BlobSize = 2, AutoConsentAllTenants = true });
        using var api = await ApiClientAsync(emulator, anyTenant);

        var before = emulator.State.GetBlobs(anyTenant);
        await SendAsync(api, HttpMethod.Post, "subscriptions/start?contentType=Audit.AzureActiveDirectory");
        var (status, body) = await SendAsync(api, HttpMethod.Get, Content("Audit.AzureActiveDirectory", Start.AddHours(-1), Start));
        var entries = Array(body);
        var first = Array((await SendAsync(api, HttpMethod.Get, new Uri(entries[0].GetProperty("contentUri").GetString()!).PathAndQuery)).Body);
        var second = Array((await SendAsync(api, HttpMethod.Get, new Uri(entries[1].GetProperty("contentUri").GetString()!).PathAndQuery)).Body);

        Assert.Empty(before);
        Assert.Equal(200, status);
        Assert.Equal(["2024-06-01T09:59:59.998Z", "2024-06-01T09:59:59.999Z"], entries.Select(e => e.GetProperty("contentCreated").GetString()));
        Assert.Equal(
            ["55555555-0000-4000-8000-000000000001", "55555555-0000-4000-8000-000000000002", "55555555-0000-4000-8000-000000000007"],
            first.Concat(second).Select(r => r.GetProperty("Id").GetString()));
        Assert.All(first.Concat(second), r => Assert.Equal(anyTenant.ToString(), r.GetProperty("OrganizationId").GetString()));
        Assert.Matches(@"^20240601095959998\d{6}\$20240601095959998\d{6}\$audit_azureactivedirectory\$Audit_AzureActiveDirectory\$emea0001$",
            entries[0].GetProperty("contentId").GetString());
        Assert.Empty(emulator.State.GetBlobs(anyTenant, "Audit.Exchange"));
    }

    [Fact]
    public async Task Folder_MissingFolder_LoadsNothingAndDoesNotFail()
    {
        await using var emulator = await StartAsync(NewClock(), o => o with { RecordsDirectory = Path.Combine(_folder, "absent") });

        Assert.Equal(0, emulator.State.FolderLoad!.RecordsLoaded);
        Assert.Equal("folder does not exist", emulator.State.FolderLoad.Skipped.Single().Reason);
    }

    [Fact]
    public async Task DemoRecords_LoadCleanly_AndCoverTheContentTypes()
    {
        await using var emulator = await StartAsync(NewClock(), o => o with { RecordsDirectory = CommandLine.DemoRecordsDirectory });

        var report = emulator.State.FolderLoad!;

        Assert.Empty(report.Skipped);
        Assert.Equal(37, report.RecordsLoaded);
        Assert.Equal(
            new Dictionary<string, int>
            {
                ["Audit.AzureActiveDirectory"] = 23,
                ["Audit.SharePoint"] = 8,
                ["Audit.Exchange"] = 5,
                ["Audit.General"] = 1,
            },
            report.RecordsByContentType);
    }

    [Fact]
    public async Task SharedSamples_WhenPresent_LoadWithoutCrashing()
    {
        var samples = CommandLine.FindSharedSamples();
        if (samples is null)
        {
            return;
        }

        await using var emulator = await StartAsync(NewClock(), o => o with { RecordsDirectory = samples });

        Assert.True(emulator.State.FolderLoad!.RecordsLoaded >= 60, $"expected the samples' NDJSON and JSON records, got {emulator.State.FolderLoad.RecordsLoaded}");
    }

    [Fact]
    public async Task Generator_AddsASyntheticBlobPerSubscribedTenantEachInterval()
    {
        var clock = NewClock();
        await using var emulator = await StartAsync(clock, o => o with { GenerateEvery = TimeSpan.FromSeconds(10), GeneratorSeed = 7 });
        emulator.State.EnableSubscription(T1, "Audit.AzureActiveDirectory");
        emulator.State.EnableSubscription(T2, "Audit.Exchange");

        clock.Advance(TimeSpan.FromSeconds(10));
        clock.Advance(TimeSpan.FromSeconds(10));
        using var api = await ApiClientAsync(emulator, T1);
        var (status, body) = await SendAsync(api, HttpMethod.Get, Content("Audit.AzureActiveDirectory", Start, Start.AddMinutes(1)));
        var blob = Array((await SendAsync(api, HttpMethod.Get, new Uri(Array(body)[1].GetProperty("contentUri").GetString()!).PathAndQuery)).Body);

        Assert.Equal(200, status);
        Assert.Equal(["2024-06-01T10:00:10.000Z", "2024-06-01T10:00:20.000Z"], Array(body).Select(e => e.GetProperty("contentCreated").GetString()));
        Assert.Empty(emulator.State.GetBlobs(T2));
        Assert.InRange(blob.Length, 2, 5);
        Assert.All(blob, r =>
        {
            Assert.Contains(r.GetProperty("Operation").GetString(), (string[])["UserLoggedIn", "UserLoginFailed", "Update user.", "Reset user password.", "Add member to role.", "Add user."]);
            Assert.True(Guid.TryParse(r.GetProperty("Id").GetString(), out _));
            Assert.Matches(@"^2024-06-01T10:00:[01]\d$|^2024-06-01T09:59:\d\d$|^2024-06-01T10:00:20$", r.GetProperty("CreationTime").GetString());
            Assert.Equal(T1.ToString(), r.GetProperty("OrganizationId").GetString());
        });
    }
}
