using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace O365Activity.Emulator.Content;

/// <summary>
/// Makes made-up audit records, deterministically: a record is a pure function of the generator seed, its stream (tenant,
/// content type, <see cref="SyntheticSource"/>; see <see cref="StreamTag"/>), its ordinal in the stream and the time range
/// of its blob, so that only those numbers are kept per blob and the JSON is written when the blob is fetched. Records
/// follow <see cref="SyntheticMix"/>: Azure AD sign-ins (RecordType 15, successes and failures with <c>ErrorNumber</c> and
/// <c>LogonError</c>, <c>DeviceProperties</c>, <c>ExtendedProperties</c>), Azure AD admin changes (RecordType 8, IP in
/// <c>ActorIpAddress</c>, <c>ModifiedProperties</c>), SharePoint (<c>FileAccessed</c> 6, <c>GroupAdded</c> 14,
/// <c>SitePermissionsModified</c> 4) and Exchange (<c>MailItemsAccessed</c> 50, <c>Set-Mailbox</c> 1 with <c>Parameters</c>);
/// about 0.9–1.6 KB each. <c>Id</c>s come from <see cref="SyntheticIds"/>; <c>CreationTime</c> is UTC without a zone in whole
/// seconds; users are 1,024 made-up people of example.com/.net/.org; addresses come from the documentation ranges and the
/// GeoIP test databases.
/// </summary>
internal sealed class SyntheticRecords
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private static readonly string[] FirstNames =
    [
        "ana", "bruno", "chen", "dara", "eli", "fatima", "george", "hana", "ivan", "julia", "kofi", "lena", "marco", "nadia", "omar",
        "priya", "quinn", "rosa", "sven", "tariq", "uma", "victor", "wei", "ximena", "yusuf", "zoe", "amir", "bea", "carlos", "dina",
        "emil", "freya",
    ];

    private static readonly string[] LastNames =
    [
        "silva", "okafor", "lin", "murphy", "cohen", "haddad", "grant", "sato", "petrov", "weber", "mensah", "lund", "rossi", "karimi",
        "farouk", "iyer", "walsh", "garcia", "berg", "aziz", "nair", "novak", "zhang", "lopez", "demir", "martin", "rahimi", "costa",
        "diaz", "fischer", "larsen", "moreau",
    ];

    private static readonly string[] GeoIpAddresses =
        ["81.2.69.142", "89.160.20.112", "216.160.83.56", "2001:218::1", "175.16.199.1", "2.125.160.216"];

    private static readonly JsonEncodedText[] Users = MakeUsers(out UserKeys, out HomeAddresses);
    private static readonly JsonEncodedText[] UserKeys;
    private static readonly JsonEncodedText[] HomeAddresses;
    private static readonly JsonEncodedText[] RoamingAddresses = MakeRoamingAddresses();
    private static readonly JsonEncodedText[] SharePointUserKeys = [.. UserKeys.Select(k => SharePointKey(k.Value))];

    private static readonly (JsonEncodedText Email, JsonEncodedText Key)[] Admins =
    [
        (E("it.admin@example.com"), E("10032001F5A6B7C8")), (E("helpdesk@example.com"), E("10032001E4F5A6B7")),
        (E("sec.ops@example.net"), E("10032001D3E4F5A6")), (E("admin@example.onmicrosoft.com"), E("10032001C2D3E4F5")),
    ];

    private static readonly (JsonEncodedText Application, JsonEncodedText Resource)[] Applications =
    [
        (E("4765445b-32c6-49b0-83e6-1d93765276ca"), E("00000003-0000-0ff1-ce00-000000000000")),
        (E("1fec8e78-bce4-4aaf-ab1b-5451cc387264"), E("00000003-0000-0000-c000-000000000000")),
        (E("00000002-0000-0ff1-ce00-000000000000"), E("00000002-0000-0ff1-ce00-000000000000")),
        (E("27922004-5251-4030-b22d-91ecd9a37ea4"), E("00000002-0000-0ff1-ce00-000000000000")),
        (E("c44b4083-3bb0-49c1-b47d-974e53cbdf3c"), E("797f4846-ba00-4fd7-ba43-dac1f8f63013")),
    ];

    private static readonly (JsonEncodedText Os, JsonEncodedText Browser, JsonEncodedText UserAgent, JsonEncodedText TrustType)[] Devices =
    [
        (E("Windows10"), E("Edge"), E("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87"), E("Azure AD joined")),
        (E("Windows10"), E("Chrome"), E("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"), E("Azure AD registered")),
        (E("MacOs"), E("Safari"), E("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"), E("")),
        (E("Ios"), E("Mobile Safari"), E("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"), E("")),
        (E("Android"), E("Chrome Mobile"), E("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36"), E("")),
        (E("Windows10"), E("Firefox"), E("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0"), E("Hybrid Azure AD joined")),
    ];

    private static readonly JsonEncodedText[] AdminSharePointKeys = [.. Admins.Select(a => SharePointKey(a.Key.Value))];

    private static readonly JsonEncodedText[] RequestTypes = [E("Login:login"), E("OAuth2:Authorize"), E("Login:reprocess"), E("SAS:ProcessAuth")];

    private static readonly (JsonEncodedText Code, JsonEncodedText Error)[] Failures =
    [
        (E("50126"), E("InvalidUserNameOrPassword")), (E("50126"), E("InvalidUserNameOrPassword")), (E("50053"), E("IdsLocked")),
        (E("50057"), E("UserDisabled")), (E("50055"), E("InvalidPasswordExpiredPassword")),
        (E("50076"), E("UserStrongAuthClientAuthNRequired")), (E("500121"), E("AuthenticationFailedSasError")),
        (E("53003"), E("BlockedByConditionalAccess")),
    ];

    // The switch in WriteAdminChange goes by index: keep the order.
    private static readonly JsonEncodedText[] AdminOperations =
        [E("Update user."), E("Update user."), E("Add user."), E("Reset user password."), E("Add member to role."), E("Add member to group."), E("Change user license.")];

    private static readonly (JsonEncodedText Name, JsonEncodedText TemplateId)[] Roles =
    [
        (E("Global Administrator"), E("62e90394-69f5-4237-9190-012177145e10")), (E("Exchange Administrator"), E("29232cdf-9323-42fd-ade2-1d097af3e4de")),
        (E("User Administrator"), E("fe930be7-5e62-47db-91af-98c3a49a38b1")), (E("Helpdesk Administrator"), E("729827e3-9c14-49f7-bb1b-9608f156bbb8")),
    ];

    private static readonly JsonEncodedText[] Groups = [E("Finance Team"), E("All Staff"), E("VPN Users"), E("Engineering"), E("Sales EMEA")];

    private static readonly (JsonEncodedText Name, JsonEncodedText Site, JsonEncodedText Web)[] Sites =
    [
        (E("finance"), E("6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b"), E("7f8a9b0c-1d2e-4f3a-9b4c-5d6e7f8a9b0c")),
        (E("hr"), E("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"), E("2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e")),
        (E("engineering"), E("3c4d5e6f-7a8b-4c9d-8e0f-2a3b4c5d6e7f"), E("4d5e6f7a-8b9c-4d0e-9f1a-3b4c5d6e7f8a")),
        (E("sales"), E("5e6f7a8b-9c0d-4e1f-8a2b-4c5d6e7f8a9b"), E("6f7a8b9c-0d1e-4f2a-9b3c-5d6e7f8a9b0c")),
        (E("legal"), E("7a8b9c0d-1e2f-4a3b-8c4d-6e7f8a9b0c1d"), E("8b9c0d1e-2f3a-4b4c-9d5e-7f8a9b0c1d2e")),
    ];

    private static readonly (JsonEncodedText Name, JsonEncodedText Extension)[] Files =
    [
        (E("q2-forecast.xlsx"), E("xlsx")), (E("budget-2025.docx"), E("docx")), (E("board-deck.pptx"), E("pptx")), (E("contract-draft.docx"), E("docx")),
        (E("headcount.xlsx"), E("xlsx")), (E("design-review.pdf"), E("pdf")), (E("onboarding.docx"), E("docx")), (E("price-list.xlsx"), E("xlsx")),
    ];

    private static readonly JsonEncodedText[] MailFolders = [E("\\Inbox"), E("\\Sent Items"), E("\\Archive"), E("\\Inbox\\Projects")];

    private static readonly JsonEncodedText[] MailClients =
        [E("Client=OWA;Action=ViaProxy"), E("Client=MSExchangeRPC"), E("Client=REST;Client=RESTSystem;;"), E("Client=OutlookService;Outlook-iOS/2.0;")];

    private static readonly JsonEncodedText[] ForwardingAddresses =
        [E("smtp:archive@example.net"), E("smtp:backup.mail@example.org"), E("smtp:records@example.com")];

    private static readonly JsonEncodedText SignInResource = E("00000003-0000-0ff1-ce00-000000000000");
    private static readonly JsonEncodedText AzureActiveDirectory = E("AzureActiveDirectory");
    private static readonly JsonEncodedText SharePoint = E("SharePoint");
    private static readonly JsonEncodedText Exchange = E("Exchange");
    private static readonly JsonEncodedText Success = E("Success");
    private static readonly JsonEncodedText Empty = E("");
    private static readonly JsonEncodedText UserLoginFailed = E("UserLoginFailed");
    private static readonly JsonEncodedText UserLoggedIn = E("UserLoggedIn");
    private static readonly JsonEncodedText Redirect = E("Redirect");
    private static readonly JsonEncodedText One = E("1");
    private static readonly JsonEncodedText True = E("true");
    private static readonly JsonEncodedText False = E("false");
    private static readonly JsonEncodedText TrueTitle = E("True");
    private static readonly JsonEncodedText FalseTitle = E("False");
    private static readonly JsonEncodedText Zero = E("0");
    private static readonly JsonEncodedText EmptyObject = E("{}");
    private static readonly JsonEncodedText UserCategory = E("User");
    private static readonly JsonEncodedText FileItem = E("File");
    private static readonly JsonEncodedText WebItem = E("Web");
    private static readonly JsonEncodedText FileAccessed = E("FileAccessed");
    private static readonly JsonEncodedText GroupAdded = E("GroupAdded");
    private static readonly JsonEncodedText SitePermissionsModified = E("SitePermissionsModified");
    private static readonly JsonEncodedText MailItemsAccessed = E("MailItemsAccessed");
    private static readonly JsonEncodedText Succeeded = E("Succeeded");
    private static readonly JsonEncodedText Sync = E("Sync");
    private static readonly JsonEncodedText Bind = E("Bind");
    private static readonly JsonEncodedText SetMailbox = E("Set-Mailbox");
    private static readonly JsonEncodedText OrganizationName = E("example.onmicrosoft.com");
    private static readonly JsonEncodedText OriginatingServer = E("AM0PR01MB1234 (15.20.7633.000)");

    private readonly SyntheticIds _ids;

    /// <summary>Creates the generator of one seed.</summary>
    /// <param name="seed">The seed: the same seed gives the same records (ids, fields) for the same stream and ordinals.</param>
    public SyntheticRecords(int seed)
    {
        Seed = seed;
        _ids = new SyntheticIds(seed);
    }

    /// <summary>The seed.</summary>
    public int Seed { get; }

    /// <summary>The number of a stream: one tenant's synthetic records of one content type from one source. A 64-bit hash of
    /// the seed, the tenant, the content type and the source.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="contentType">The canonical content type.</param>
    /// <param name="source">The source.</param>
    public ulong StreamTag(Guid tenant, string contentType, SyntheticSource source)
    {
        Span<byte> bytes = stackalloc byte[16];
        tenant.TryWriteBytes(bytes);
        var typeNumber = (ulong)(uint)EmulatorContentTypes.All.ToList().IndexOf(contentType) + 1;
        var hash = SplitMix64.Mix(0x0365_AC71_0000_0000UL ^ (uint)Seed);
        hash = SplitMix64.Mix(hash ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        hash = SplitMix64.Mix(hash ^ BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]));
        return SplitMix64.Mix(hash ^ (typeNumber << 8) ^ (ulong)source);
    }

    /// <summary>The <c>Id</c> of record <paramref name="ordinal"/> of <paramref name="stream"/>.</summary>
    /// <param name="stream">The stream tag.</param>
    /// <param name="ordinal">The record's number in the stream (from 0).</param>
    public Guid RecordId(ulong stream, long ordinal) => _ids.Make(stream, ordinal);

    /// <summary>The size of the blob of one tick of the plain generator (<see cref="EmulatorOptions.GenerateEvery"/> without a
    /// rate): 2 to 5 records, drawn from the stream and the blob's first ordinal.</summary>
    /// <param name="stream">The stream tag.</param>
    /// <param name="firstOrdinal">The ordinal of the blob's first record.</param>
    public static int TickBlobSize(ulong stream, long firstOrdinal) =>
        2 + (int)(SplitMix64.Mix(stream ^ SplitMix64.Mix((ulong)firstOrdinal ^ 0x71C4UL)) % 4);

    /// <summary>Starts a JSON writer with the options synthetic records are written with (relaxed escaping, like the
    /// service: <c>+</c>, <c>&lt;</c> and non-ASCII letters are not escaped).</summary>
    /// <param name="destination">Where to write.</param>
    public static Utf8JsonWriter CreateWriter(Stream destination) => new(destination, WriterOptions);

    /// <summary>Starts a JSON writer into a buffer, with the options of <see cref="CreateWriter(Stream)"/>.</summary>
    /// <param name="destination">Where to write.</param>
    public static Utf8JsonWriter CreateWriter(IBufferWriter<byte> destination) => new(destination, WriterOptions);

    /// <summary>Writes one record as a JSON object.</summary>
    /// <param name="writer">The writer (at a value position).</param>
    /// <param name="tenant">The tenant id text: <c>OrganizationId</c>, <c>ActorContextId</c>, <c>TargetContextId</c>.</param>
    /// <param name="contentType">The stream's canonical content type (one of <see cref="SyntheticMix.ContentTypes"/>).</param>
    /// <param name="stream">The stream tag.</param>
    /// <param name="ordinal">The record's ordinal in the stream.</param>
    /// <param name="eventsEnd">The latest <c>CreationTime</c> of the blob.</param>
    /// <param name="eventsSpan">How far before <paramref name="eventsEnd"/> the <c>CreationTime</c>s spread (zero: all at it).</param>
    public void Write(
        Utf8JsonWriter writer, JsonEncodedText tenant, string contentType, ulong stream, long ordinal, DateTimeOffset eventsEnd, TimeSpan eventsSpan)
    {
        var random = new SplitMix64(SplitMix64.Mix(stream ^ SplitMix64.Mix((ulong)ordinal)));
        var time = CreationTime(ref random, eventsEnd, eventsSpan);
        var id = RecordId(stream, ordinal);
        switch (contentType)
        {
            case EmulatorContentTypes.SharePoint:
                WriteSharePoint(writer, ref random, tenant, id, time);
                break;
            case EmulatorContentTypes.Exchange:
                WriteExchange(writer, ref random, tenant, id, time);
                break;
            default:
                if (random.NextDouble() < SyntheticMix.AdminShareOfAzureActiveDirectory)
                {
                    WriteAdminChange(writer, ref random, tenant, id, time);
                }
                else
                {
                    WriteSignIn(writer, ref random, tenant, id, time);
                }

                break;
        }
    }

    private static DateTime CreationTime(ref SplitMix64 random, DateTimeOffset end, TimeSpan span)
    {
        var ticks = end.UtcTicks - (long)(random.NextDouble() * span.Ticks);
        return new DateTime(ticks - (ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified);
    }

    private static void WriteHeader(
        Utf8JsonWriter w, Guid id, DateTime time, JsonEncodedText operation, JsonEncodedText tenant, int recordType, JsonEncodedText? resultStatus,
        JsonEncodedText userKey, int userType, JsonEncodedText workload)
    {
        w.WriteStartObject();
        w.WriteString("CreationTime"u8, time);
        w.WriteString("Id"u8, id);
        w.WriteString("Operation"u8, operation);
        w.WriteString("OrganizationId"u8, tenant);
        w.WriteNumber("RecordType"u8, recordType);
        if (resultStatus is { } status)
        {
            w.WriteString("ResultStatus"u8, status);
        }

        w.WriteString("UserKey"u8, userKey);
        w.WriteNumber("UserType"u8, userType);
        w.WriteNumber("Version"u8, 1);
        w.WriteString("Workload"u8, workload);
    }

    private static void WriteSignIn(Utf8JsonWriter w, ref SplitMix64 random, JsonEncodedText tenant, Guid id, DateTime time)
    {
        var user = random.Next(Users.Length);
        var ip = random.NextDouble() < 0.75 ? HomeAddresses[user] : random.Pick(RoamingAddresses);
        var failed = random.NextDouble() < SyntheticMix.FailedShareOfSignIns;
        var failure = random.Pick(Failures);
        var (application, resource) = random.Pick(Applications);
        var device = Devices[(user + (random.Next(8) == 0 ? 1 : 0)) % Devices.Length];
        WriteHeader(w, id, time, failed ? UserLoginFailed : UserLoggedIn, tenant, 15, Success, UserKeys[user], 0, AzureActiveDirectory);
        w.WriteString("ClientIP"u8, ip);
        w.WriteString("ObjectId"u8, resource);
        w.WriteString("UserId"u8, Users[user]);
        w.WriteNumber("AzureActiveDirectoryEventType"u8, 1);
        w.WriteStartArray("ExtendedProperties"u8);
        NameValue(w, "ResultStatusDetail"u8, failed ? Redirect : Success);
        NameValue(w, "UserAgent"u8, device.UserAgent);
        NameValue(w, "RequestType"u8, random.Pick(RequestTypes));
        NameValue(w, "UserAuthenticationMethod"u8, One);
        if (!failed)
        {
            NameValue(w, "KeepMeSignedIn"u8, random.Next(3) == 0 ? True : False);
        }

        w.WriteEndArray();
        w.WriteStartArray("ModifiedProperties"u8);
        w.WriteEndArray();
        w.WriteStartArray("Actor"u8);
        IdType(w, UserKeys[user], 0);
        IdType(w, Users[user], 5);
        w.WriteEndArray();
        w.WriteString("ActorContextId"u8, tenant);
        w.WriteString("ActorIpAddress"u8, ip);
        w.WriteString("InterSystemsId"u8, SyntheticIds.Random(ref random));
        w.WriteString("IntraSystemId"u8, SyntheticIds.Random(ref random));
        w.WriteString("SupportTicketId"u8, Empty);
        w.WriteStartArray("Target"u8);
        IdType(w, failed ? SignInResource : resource, 0);
        w.WriteEndArray();
        w.WriteString("TargetContextId"u8, tenant);
        w.WriteString("ApplicationId"u8, application);
        w.WriteStartArray("DeviceProperties"u8);
        NameValue(w, "OS"u8, device.Os);
        NameValue(w, "BrowserType"u8, device.Browser);
        var managed = device.TrustType.EncodedUtf8Bytes.Length > 0;
        NameValue(w, "IsCompliantAndManaged"u8, managed ? TrueTitle : FalseTitle);
        if (managed)
        {
            NameValue(w, "TrustType"u8, device.TrustType);
        }

        if (random.Next(2) == 0)
        {
            w.WriteStartObject();
            w.WriteString("Name"u8, "SessionId"u8);
            w.WriteString("Value"u8, SyntheticIds.Random(ref random));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("ErrorNumber"u8, failed ? failure.Code : Zero);
        if (failed)
        {
            w.WriteString("LogonError"u8, failure.Error);
        }

        w.WriteEndObject();
    }

    private static void WriteAdminChange(Utf8JsonWriter w, ref SplitMix64 random, JsonEncodedText tenant, Guid id, DateTime time)
    {
        var admin = random.Pick(Admins);
        var target = random.Next(Users.Length);
        var operationIndex = random.Next(AdminOperations.Length);
        WriteHeader(w, id, time, AdminOperations[operationIndex], tenant, 8, Success, admin.Key, 0, AzureActiveDirectory);
        w.WriteString("ObjectId"u8, Users[target]);
        w.WriteString("UserId"u8, admin.Email);
        w.WriteNumber("AzureActiveDirectoryEventType"u8, 1);
        w.WriteStartArray("ExtendedProperties"u8);
        NameValue(w, "additionalDetails"u8, EmptyObject);
        NameValue(w, "extendedAuditEventCategory"u8, UserCategory);
        w.WriteEndArray();
        w.WriteStartArray("ModifiedProperties"u8);
        switch (operationIndex)
        {
            case 2: // Add user.
                Modified(w, "AccountEnabled"u8, "[\r\n  true\r\n]", "[]");
                Modified(w, "UserPrincipalName"u8, "[\r\n  \"" + Users[target] + "\"\r\n]", "[]");
                Modified(w, "Included Updated Properties"u8, "AccountEnabled, UserPrincipalName", "");
                break;
            case 4: // Add member to role.
                var role = random.Pick(Roles);
                Modified(w, "Role.ObjectID"u8, SyntheticIds.Random(ref random).ToString(), "");
                Modified(w, "Role.DisplayName"u8, role.Name.ToString(), "");
                Modified(w, "Role.TemplateId"u8, role.TemplateId.ToString(), "");
                break;
            case 5: // Add member to group.
                Modified(w, "Group.ObjectID"u8, SyntheticIds.Random(ref random).ToString(), "");
                Modified(w, "Group.DisplayName"u8, random.Pick(Groups).ToString(), "");
                break;
            case 6: // Change user license.
                Modified(w, "AssignedLicense"u8, "[\r\n  \"[SkuName=ENTERPRISEPACK, AccountId=" + SyntheticIds.Random(ref random) + ", DisabledPlans=[]]\"\r\n]", "[]");
                Modified(w, "Included Updated Properties"u8, "AssignedLicense", "");
                break;
            case 3: // Reset user password.
                Modified(w, "Included Updated Properties"u8, "", "");
                break;
            default: // Update user.
                var enabled = random.Next(2) == 0;
                Modified(w, "AccountEnabled"u8, enabled ? "[\r\n  true\r\n]" : "[\r\n  false\r\n]", enabled ? "[\r\n  false\r\n]" : "[\r\n  true\r\n]");
                Modified(w, "Included Updated Properties"u8, "AccountEnabled", "");
                break;
        }

        w.WriteEndArray();
        w.WriteStartArray("Actor"u8);
        IdType(w, admin.Email, 5);
        IdType(w, admin.Key, 3);
        UserObject(w, SyntheticIds.Random(ref random));
        w.WriteEndArray();
        w.WriteString("ActorContextId"u8, tenant);
        w.WriteString("ActorIpAddress"u8, random.Pick(RoamingAddresses));
        w.WriteString("InterSystemsId"u8, SyntheticIds.Random(ref random));
        w.WriteString("IntraSystemId"u8, SyntheticIds.Random(ref random));
        w.WriteString("SupportTicketId"u8, Empty);
        w.WriteStartArray("Target"u8);
        IdType(w, Users[target], 5);
        UserObject(w, SyntheticIds.Random(ref random));
        w.WriteEndArray();
        w.WriteString("TargetContextId"u8, tenant);
        w.WriteEndObject();
    }

    private static void WriteSharePoint(Utf8JsonWriter w, ref SplitMix64 random, JsonEncodedText tenant, Guid id, DateTime time)
    {
        Span<char> text = stackalloc char[256];
        var roll = random.Next(100);
        var site = random.Pick(Sites);
        var device = random.Pick(Devices);
        if (roll < 70)
        {
            var user = random.Next(Users.Length);
            var file = random.Pick(Files);
            var ip = random.NextDouble() < 0.75 ? HomeAddresses[user] : random.Pick(RoamingAddresses);
            WriteSharePointHeader(w, tenant, id, time, FileAccessed, 6, SharePointUserKeys[user], Users[user], ip);
            SharePointCommon(w, ref random, FileItem, site, device.UserAgent);
            WriteFormatted(w, "ObjectId"u8, text, CultureInfo.InvariantCulture, $"https://share.example.com/sites/{site.Name.Value}/Shared Documents/{file.Name.Value}");
            WriteFormatted(w, "SiteUrl"u8, text, CultureInfo.InvariantCulture, $"https://share.example.com/sites/{site.Name.Value}/");
            w.WriteString("SourceFileName"u8, file.Name);
            w.WriteString("SourceFileExtension"u8, file.Extension);
            w.WriteString("SourceRelativeUrl"u8, "Shared Documents"u8);
            w.WriteString("ListItemUniqueId"u8, SyntheticIds.Random(ref random));
        }
        else
        {
            var groupAdded = roll < 85;
            var admin = random.Next(Admins.Length);
            WriteSharePointHeader(
                w, tenant, id, time, groupAdded ? GroupAdded : SitePermissionsModified, groupAdded ? 14 : 4, AdminSharePointKeys[admin], Admins[admin].Email,
                random.Pick(RoamingAddresses));
            SharePointCommon(w, ref random, WebItem, site, device.UserAgent);
            WriteFormatted(w, "ObjectId"u8, text, CultureInfo.InvariantCulture, $"https://share.example.com/sites/{site.Name.Value}");
            WriteFormatted(w, "SiteUrl"u8, text, CultureInfo.InvariantCulture, $"https://share.example.com/sites/{site.Name.Value}/");
            var group = random.Pick(Groups);
            if (groupAdded)
            {
                w.WriteString("TargetUserOrGroupName"u8, group);
                w.WriteString("TargetUserOrGroupType"u8, "SharePointGroup"u8);
                WriteFormatted(w, "EventData"u8, text, CultureInfo.InvariantCulture, $"<Group>{group.Value}</Group>");
            }
            else
            {
                var level = random.Next(2) == 0 ? "Full Control" : "Edit";
                WriteFormatted(w, "EventData"u8, text, CultureInfo.InvariantCulture, $"<PermissionsModified>{level} granted to {group.Value}</PermissionsModified>");
            }
        }

        w.WriteEndObject();
    }

    private static void WriteSharePointHeader(
        Utf8JsonWriter w, JsonEncodedText tenant, Guid id, DateTime time, JsonEncodedText operation, int recordType, JsonEncodedText userKey,
        JsonEncodedText userId, JsonEncodedText ip)
    {
        WriteHeader(w, id, time, operation, tenant, recordType, null, userKey, 0, SharePoint);
        w.WriteString("ClientIP"u8, ip);
        w.WriteString("UserId"u8, userId);
    }

    private static void SharePointCommon(Utf8JsonWriter w, ref SplitMix64 random, JsonEncodedText itemType, (JsonEncodedText Name, JsonEncodedText Site, JsonEncodedText Web) site, JsonEncodedText userAgent)
    {
        w.WriteString("CorrelationId"u8, SyntheticIds.Random(ref random));
        w.WriteString("EventSource"u8, "SharePoint"u8);
        w.WriteString("ItemType"u8, itemType);
        w.WriteString("Site"u8, site.Site);
        w.WriteString("UserAgent"u8, userAgent);
        w.WriteString("WebId"u8, site.Web);
        w.WriteStartObject("AppAccessContext"u8);
        w.WriteString("AADSessionId"u8, SyntheticIds.Random(ref random));
        w.WriteString("CorrelationId"u8, SyntheticIds.Random(ref random));
        w.WriteString("UniqueTokenId"u8, "x4Ja0zT2mEu9mJ1TzXb0AA"u8);
        w.WriteEndObject();
        w.WriteString("GeoLocation"u8, "EUR"u8);
        w.WriteBoolean("IsManagedDevice"u8, random.Next(2) == 0);
        w.WriteString("Platform"u8, "WinDesktop"u8);
    }

    private static void WriteExchange(Utf8JsonWriter w, ref SplitMix64 random, JsonEncodedText tenant, Guid id, DateTime time)
    {
        Span<char> text = stackalloc char[256];
        if (random.Next(4) != 0)
        {
            var user = random.Next(Users.Length);
            var ip = random.NextDouble() < 0.75 ? HomeAddresses[user] : random.Pick(RoamingAddresses);
            WriteHeader(w, id, time, MailItemsAccessed, tenant, 50, Succeeded, UserKeys[user], 0, Exchange);
            w.WriteString("ClientIP"u8, ip);
            w.WriteString("UserId"u8, Users[user]);
            w.WriteString("AppId"u8, "00000002-0000-0ff1-ce00-000000000000"u8);
            w.WriteString("ClientAppId"u8, Empty);
            w.WriteString("ClientIPAddress"u8, ip);
            w.WriteString("ClientInfoString"u8, random.Pick(MailClients));
            w.WriteBoolean("ExternalAccess"u8, false);
            w.WriteNumber("InternalLogonType"u8, 0);
            w.WriteNumber("LogonType"u8, 0);
            WriteFormatted(w, "LogonUserSid"u8, text, CultureInfo.InvariantCulture, $"S-1-5-21-1111111111-2222222222-3333333333-{1000 + user}");
            w.WriteString("MailboxGuid"u8, SyntheticIds.Random(ref random));
            WriteFormatted(w, "MailboxOwnerSid"u8, text, CultureInfo.InvariantCulture, $"S-1-5-21-1111111111-2222222222-3333333333-{1000 + user}");
            w.WriteString("MailboxOwnerUPN"u8, Users[user]);
            w.WriteStartArray("OperationProperties"u8);
            NameValue(w, "MailAccessType"u8, random.Next(3) == 0 ? Sync : Bind);
            NameValue(w, "IsThrottled"u8, FalseTitle);
            w.WriteEndArray();
            w.WriteString("OrganizationName"u8, OrganizationName);
            w.WriteString("OriginatingServer"u8, OriginatingServer);
            w.WriteStartArray("Folders"u8);
            w.WriteStartObject();
            w.WriteStartArray("FolderItems"u8);
            var items = 1 + random.Next(3);
            for (var i = 0; i < items; i++)
            {
                w.WriteStartObject();
                var message = SyntheticIds.Random(ref random);
                WriteFormatted(w, "InternetMessageId"u8, text, CultureInfo.InvariantCulture, $"<{message:N}@example.com>");
                w.WriteNumber("SizeInBytes"u8, 2_000 + random.Next(200_000));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("Id"u8, "LgAAAAC1"u8);
            w.WriteString("Path"u8, random.Pick(MailFolders));
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteNumber("OperationCount"u8, items);
        }
        else
        {
            var admin = random.Pick(Admins);
            var target = random.Next(Users.Length);
            WriteHeader(w, id, time, SetMailbox, tenant, 1, TrueTitle, admin.Key, 2, Exchange);
            var address = random.Pick(RoamingAddresses).Value;
            var port = 49152 + random.Next(16384);
            if (address.Contains(':', StringComparison.Ordinal))
            {
                WriteFormatted(w, "ClientIP"u8, text, CultureInfo.InvariantCulture, $"[{address}]:{port}");
            }
            else
            {
                WriteFormatted(w, "ClientIP"u8, text, CultureInfo.InvariantCulture, $"{address}:{port}");
            }
            w.WriteString("ObjectId"u8, Users[target]);
            w.WriteString("UserId"u8, admin.Email);
            w.WriteString("AppId"u8, Empty);
            w.WriteBoolean("ExternalAccess"u8, false);
            w.WriteString("OrganizationName"u8, OrganizationName);
            w.WriteString("OriginatingServer"u8, OriginatingServer);
            w.WriteStartArray("Parameters"u8);
            NameValue(w, "Identity"u8, Users[target]);
            if (random.Next(2) == 0)
            {
                NameValue(w, "ForwardingSmtpAddress"u8, random.Pick(ForwardingAddresses));
                NameValue(w, "DeliverToMailboxAndForward"u8, TrueTitle);
            }
            else
            {
                NameValue(w, "AuditEnabled"u8, TrueTitle);
                NameValue(w, "LitigationHoldEnabled"u8, random.Next(2) == 0 ? TrueTitle : FalseTitle);
            }

            w.WriteEndArray();
            w.WriteString("SessionId"u8, SyntheticIds.Random(ref random));
            w.WriteString("RequestId"u8, SyntheticIds.Random(ref random));
        }

        w.WriteEndObject();
    }

    /// <summary>Writes an interpolated string value without allocating it (formatted into <paramref name="buffer"/>).</summary>
    private static void WriteFormatted(
        Utf8JsonWriter w,
        ReadOnlySpan<byte> name,
        Span<char> buffer,
        IFormatProvider provider,
        [InterpolatedStringHandlerArgument(nameof(buffer), nameof(provider))] ref MemoryExtensions.TryWriteInterpolatedStringHandler value)
    {
        if (!buffer.TryWrite(provider, ref value, out var written))
        {
            throw new InvalidOperationException("A synthetic value is longer than its buffer.");
        }

        w.WriteString(name, buffer[..written]);
    }

    private static void NameValue(Utf8JsonWriter w, ReadOnlySpan<byte> name, JsonEncodedText value)
    {
        w.WriteStartObject();
        w.WriteString("Name"u8, name);
        w.WriteString("Value"u8, value);
        w.WriteEndObject();
    }

    private static void IdType(Utf8JsonWriter w, JsonEncodedText id, int type)
    {
        w.WriteStartObject();
        w.WriteString("ID"u8, id);
        w.WriteNumber("Type"u8, type);
        w.WriteEndObject();
    }

    private static void UserObject(Utf8JsonWriter w, Guid id)
    {
        Span<char> text = stackalloc char[41];
        "User_".CopyTo(text);
        id.TryFormat(text[5..], out _);
        w.WriteStartObject();
        w.WriteString("ID"u8, text);
        w.WriteNumber("Type"u8, 2);
        w.WriteEndObject();
    }

    private static void Modified(Utf8JsonWriter w, ReadOnlySpan<byte> name, string newValue, string oldValue)
    {
        w.WriteStartObject();
        w.WriteString("Name"u8, name);
        w.WriteString("NewValue"u8, newValue);
        w.WriteString("OldValue"u8, oldValue);
        w.WriteEndObject();
    }

    private static JsonEncodedText SharePointKey(string userKey) => E($"i:0h.f|membership|{userKey.ToLowerInvariant()}@live.com");

    private static JsonEncodedText E(string value) => JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);

    private static JsonEncodedText[] MakeUsers(out JsonEncodedText[] keys, out JsonEncodedText[] homes)
    {
        string[] domains = ["example.com", "example.com", "example.com", "example.net", "example.org"];
        var count = FirstNames.Length * LastNames.Length;
        var users = new JsonEncodedText[count];
        keys = new JsonEncodedText[count];
        homes = new JsonEncodedText[count];
        for (var i = 0; i < count; i++)
        {
            users[i] = E($"{FirstNames[i % FirstNames.Length]}.{LastNames[i / FirstNames.Length]}@{domains[i % domains.Length]}");
            keys[i] = E(string.Create(CultureInfo.InvariantCulture, $"10032001{(uint)(i * 2654435761u):X8}"));
            homes[i] = E((i % 5) switch
            {
                0 => GeoIpAddresses[i / 5 % GeoIpAddresses.Length],
                1 => string.Create(CultureInfo.InvariantCulture, $"203.0.113.{1 + (i % 254)}"),
                2 => string.Create(CultureInfo.InvariantCulture, $"198.51.100.{1 + (i % 254)}"),
                3 => string.Create(CultureInfo.InvariantCulture, $"2001:db8:4f2a::{i:x}"),
                _ => string.Create(CultureInfo.InvariantCulture, $"192.0.2.{1 + (i % 254)}"),
            });
        }

        return users;
    }

    private static JsonEncodedText[] MakeRoamingAddresses()
    {
        var addresses = new List<JsonEncodedText>();
        foreach (var geo in GeoIpAddresses)
        {
            addresses.Add(E(geo));
        }

        for (var i = 1; i <= 58; i++)
        {
            addresses.Add(E(i % 3 == 0
                ? string.Create(CultureInfo.InvariantCulture, $"2001:db8:a0b:12f0::{i:x}")
                : string.Create(CultureInfo.InvariantCulture, $"198.51.100.{200 + (i % 50)}")));
        }

        return [.. addresses];
    }
}
