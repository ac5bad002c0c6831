using System.Globalization;
using System.Net;
using O365Activity.Contracts.Activity;

namespace O365Activity.Grains.Normalization;

/// <summary>
/// Maps sign-in records to <see cref="IngressEvent"/> (PROTOCOL.md §8, "Sign-ins"; cases L01, L02, B01–B08).
/// </summary>
/// <remarks>
/// A record is a sign-in when its operation is <c>UserLoggedIn</c> or <c>UserLoginFailed</c> (any case, any
/// RecordType), or its RecordType is 15 (AzureActiveDirectoryStsLogon) or 9 (legacy AzureActiveDirectoryAccountLogon,
/// for example <c>PasswordLogonInitialAuthUsingPassword</c>). Exchange <c>MailboxLogin</c> (RecordType 2) is not: it
/// records a mailbox session opened after a sign-in (usually one already recorded as RecordType 15), carries no result or
/// error code, and its address may be a front end's; PROTOCOL.md §8 names only RecordTypes 15 and 9. It stays a raw
/// record, whose <c>ClientAddress</c> and <c>User</c> still show who opened the mailbox and from where (case B08).
/// <para>The result never comes from <c>ResultStatus</c> (L01, L02). The error code is <c>ErrorNumber</c>, else
/// <c>ErrorCode</c>, else the legacy <c>LoginStatus</c>, else the first part of the legacy <c>LoginError</c> extended
/// property (<c>-2147217390;PP_E_BAD_PASSWORD;text</c>); the reason is <c>LogonError</c>, else the second part of
/// <c>LoginError</c>. Then, in order: <c>UserLoginFailed</c> → <see cref="SignInResult.Failure"/>; a non-zero code →
/// <see cref="SignInResult.Interrupted"/> when in <see cref="SignInCodes.InterruptCodes"/>, else Failure; a reason
/// without a code → Interrupted when <see cref="SignInCodes.IsInterrupt"/> says so, else Failure; code 0 or operation
/// <c>UserLoggedIn</c> → <see cref="SignInResult.Success"/>; anything else (a RecordType 15 record with no operation and no
/// code) → <see cref="SignInResult.Unknown"/>.</para>
/// </remarks>
internal static class SignInMapper
{
    private const string UserLoggedIn = "UserLoggedIn";
    private const string UserLoginFailed = "UserLoginFailed";

    public static bool IsSignIn(string operation, int recordType) =>
        recordType is 9 or 15
        || operation.Equals(UserLoggedIn, StringComparison.OrdinalIgnoreCase)
        || operation.Equals(UserLoginFailed, StringComparison.OrdinalIgnoreCase);

    public static IngressEvent Map(in AuditRecordView view, in RecordHeader h, string? userIdText, ClientAddress? address, NormalizationContext context, GeoLocator? geo)
    {
        var userId = Principal(userIdText);
        var userKey = view.NonEmptyText(RecordField.UserKey);
        var objectId = IsGuid(userKey) ? userKey : IsGuid(userId) ? userId : null;
        var user = userId ?? objectId ?? "unknown";

        var legacy = h.Extended.Find(ExtendedEntry.LoginError)?.Split(';', 3, StringSplitOptions.TrimEntries);
        var code = view.NonEmptyText(RecordField.ErrorNumber) ?? view.NonEmptyText(RecordField.ErrorCode) ?? view.NonEmptyText(RecordField.LoginStatus)
            ?? (legacy is { Length: > 0 } && legacy[0].Length > 0 ? legacy[0] : null);
        code = code?.Trim();
        var reason = view.NonEmptyText(RecordField.LogonError) ?? (legacy is { Length: > 1 } && legacy[1].Length > 0 ? legacy[1] : null);
        var codeIsZero = code is not null && long.TryParse(code, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number == 0;
        var failureCode = code is null || codeIsZero ? null : code;

        SignInResult result;
        if (h.Operation.Equals(UserLoginFailed, StringComparison.OrdinalIgnoreCase))
        {
            result = SignInResult.Failure;
        }
        else if (failureCode is not null)
        {
            result = SignInCodes.IsInterrupt(failureCode, reason) ? SignInResult.Interrupted : SignInResult.Failure;
        }
        else if (reason is not null)
        {
            result = SignInCodes.IsInterrupt(null, reason) ? SignInResult.Interrupted : SignInResult.Failure;
        }
        else if (codeIsZero || h.Operation.Equals(UserLoggedIn, StringComparison.OrdinalIgnoreCase))
        {
            result = SignInResult.Success;
        }
        else
        {
            result = SignInResult.Unknown;
        }

        var failed = result is SignInResult.Failure or SignInResult.Interrupted;
        var location = address?.Ip is { } ip && geo is not null && IPAddress.TryParse(ip, out var parsed) ? geo.Locate(parsed) : null;
        var federatedDomain = FederatedDomain(user, context.FederatedDomains);
        var applicationId = view.NonEmptyText(RecordField.ApplicationId) ?? h.Extended.Find(ExtendedEntry.ApplicationId);

        return new IngressEvent
        {
            TenantId = h.TenantId,
            RecordId = h.RecordId,
            EventTime = h.EventTime,
            IngestTime = h.IngestTime,
            RecordType = h.RecordType,
            Operation = h.Operation,
            Workload = h.Workload,
            ContentType = h.ContentType,
            RawJson = h.RawJson,
            ExtendedProperties = h.ExtendedProperties,
            User = user,
            UserObjectId = objectId,
            UserType = view.Int32(RecordField.UserType),
            Result = result,
            FailureCode = failed ? failureCode : null,
            FailureReason = failed ? reason : null,
            FailureDescription = failed ? SignInCodes.Describe(failureCode, reason) ?? (legacy is { Length: > 2 } && legacy[2].Length > 0 ? legacy[2] : null) : null,
            ClientAddress = address,
            Location = location,
            LocationReliable = federatedDomain is null,
            LocationUnreliableReason = federatedDomain is null
                ? null
                : $"The user's domain {federatedDomain} is federated (AD FS): the sign-in address is the federation proxy's, not the user's.",
            UserAgent = h.Extended.Find(ExtendedEntry.UserAgent) ?? view.NonEmptyText(RecordField.UserAgent),
            ApplicationId = applicationId,
            ApplicationName = WellKnownApplications.NameOf(applicationId),
            Device = view.Device(),
            AuthenticationMethod = h.Extended.Find(ExtendedEntry.UserAuthenticationMethod) ?? view.NonEmptyText(RecordField.UserAuthenticationMethod),
            RequestType = h.Extended.Find(ExtendedEntry.RequestType) ?? view.NonEmptyText(RecordField.RequestType),
            ResultStatusDetail = h.Extended.Find(ExtendedEntry.ResultStatusDetail) ?? view.NonEmptyText(RecordField.ResultStatusDetail),
            KeepMeSignedIn = LenientJson.Boolean(h.Extended.Find(ExtendedEntry.KeepMeSignedIn)) ?? view.Boolean(RecordField.KeepMeSignedIn),
        };
    }

    /// <summary>Null for values that name nobody (<c>Not Available</c>, <c>Unknown</c>); else the value.</summary>
    internal static string? Principal(string? value) =>
        value is null
        || value.Equals("Not Available", StringComparison.OrdinalIgnoreCase)
        || value.Equals("Unknown", StringComparison.OrdinalIgnoreCase)
            ? null
            : value;

    internal static bool IsGuid(string? value) => value is not null && Guid.TryParse(value, out _);

    private static string? FederatedDomain(string user, ImmutableArray<string> federatedDomains)
    {
        var at = user.LastIndexOf('@');
        if (at < 0 || at == user.Length - 1 || federatedDomains.IsDefaultOrEmpty)
        {
            return null;
        }

        var domain = user.AsSpan(at + 1).Trim();
        foreach (var federated in federatedDomains)
        {
            if (domain.Equals(federated.AsSpan().Trim().TrimStart('@'), StringComparison.OrdinalIgnoreCase))
            {
                return federated;
            }
        }

        return null;
    }
}
