using O365Activity.Contracts.Activity;
using O365Activity.Grains.Normalization;

namespace O365Activity.Tests.Normalization;

/// <summary>Cases L01 and L02 (cases/logins.md) and the rest of the sign-in mapping (PROTOCOL.md §8, "Sign-ins").</summary>
public sealed class LoginsTests
{
    private const string L01Record = """
        {"CreationTime":"2024-08-29T23:59:58","Id":"7c8d9eaf-b0c1-42d3-e4f5-a6b7c8d9e0f1","Operation":"UserLoggedIn",
         "RecordType":15,"Workload":"AzureActiveDirectory","ResultStatus":"Success","UserType":0,
         "UserId":"frank@example.com","ClientIP":"203.0.113.50",
         "LogonError":"UserStrongAuthClientAuthNRequiredInterrupt","ErrorNumber":"50074",
         "ExtendedProperties":[{"Name":"ResultStatusDetail","Value":"Success"},
           {"Name":"UserAgent","Value":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)"},
           {"Name":"RequestType","Value":"Login:login"}]}
        """;

    private const string L02Record = """
        {"CreationTime":"2023-12-06T11:10:58","Id":"8d9eafb0-c1d2-43e4-f5a6-b7c8d9e0f1a2","Operation":"UserLoginFailed",
         "RecordType":15,"Workload":"AzureActiveDirectory","ResultStatus":"Success","UserType":0,
         "UserKey":"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0","UserId":"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
         "ClientIP":"203.0.113.77","LogonError":"AuthenticationFailedSasError","ErrorNumber":"500121",
         "ExtendedProperties":[{"Name":"ResultStatusDetail","Value":"Success"},
           {"Name":"UserAgent","Value":"Mozilla/5.0 (Windows NT 10.0; Win64; x64; WebView/3.0)"},
           {"Name":"RequestType","Value":"SAS:EndAuth"}]}
        """;

    [Fact]
    public void SignIn_L01_UserLoggedInWithLogonError_InterruptedWithReason()
    {
        var ingress = NormalizerHarness.Ingress(L01Record);

        Assert.Equal(SignInResult.Interrupted, ingress.Result);
        Assert.Equal("50074", ingress.FailureCode);
        Assert.Equal("UserStrongAuthClientAuthNRequiredInterrupt", ingress.FailureReason);
        Assert.Equal("Strong authentication (MFA) required", ingress.FailureDescription);
        Assert.Equal("frank@example.com", ingress.User);
        Assert.Equal("203.0.113.50", ingress.ClientAddress?.Ip);
        Assert.Equal("Mozilla/5.0 (Windows NT 10.0; Win64; x64)", ingress.UserAgent);
        Assert.Equal("Login:login", ingress.RequestType);
        Assert.Equal("Success", ingress.ResultStatusDetail);
        Assert.Equal(0, ingress.UserType);
        Assert.Null(ingress.UserObjectId);
    }

    /// <summary>Case L01's table of variants; null means "absent".</summary>
    [Theory]
    [InlineData("UserLoggedIn", null, null, SignInResult.Success, null)]
    [InlineData("UserLoggedIn", null, "0", SignInResult.Success, null)]
    [InlineData("UserLoggedIn", "UserStrongAuthClientAuthNRequiredInterrupt", "50074", SignInResult.Interrupted, "50074")]
    [InlineData("UserLoggedIn", null, "50074", SignInResult.Interrupted, "50074")]
    [InlineData("UserLoginFailed", null, null, SignInResult.Failure, null)]
    [InlineData("UserLoginFailed", "InvalidUserNameOrPassword", "50126", SignInResult.Failure, "50126")]
    [InlineData("UserLoginFailed", "UserStrongAuthClientAuthNRequiredInterrupt", "50074", SignInResult.Failure, "50074")]
    [InlineData("UserLoginFailed", null, "0", SignInResult.Failure, null)]
    public void SignIn_L01_Variants_ResultFromOperationAndError(string operation, string? logonError, string? errorNumber, SignInResult expected, string? failureCode)
    {
        var ingress = NormalizerHarness.Ingress(Record(operation, logonError, errorNumber));

        Assert.Equal(expected, ingress.Result);
        Assert.Equal(failureCode, ingress.FailureCode);
        Assert.Equal(expected == SignInResult.Success ? null : logonError, ingress.FailureReason);
    }

    [Fact]
    public void SignIn_L02_UserLoginFailedWithResultStatusSuccess_Failure()
    {
        var ingress = NormalizerHarness.Ingress(L02Record);

        Assert.Equal(SignInResult.Failure, ingress.Result);
        Assert.Equal("AuthenticationFailedSasError", ingress.FailureReason);
        Assert.Equal("500121", ingress.FailureCode);
        Assert.Equal("Strong authentication failed", ingress.FailureDescription);
        Assert.Equal("203.0.113.77", ingress.ClientAddress?.Ip);
        Assert.Equal("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", ingress.User);
        Assert.Equal("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", ingress.UserObjectId);
        Assert.Equal("SAS:EndAuth", ingress.RequestType);
    }

    [Theory]
    [InlineData("Success")]
    [InlineData("Succeeded")]
    [InlineData("Failed")]
    [InlineData("True")]
    [InlineData("False")]
    public void SignIn_L02_ResultStatusNeverDecides(string resultStatus)
    {
        var success = NormalizerHarness.Ingress(Record("UserLoggedIn", null, null, resultStatus));
        var failure = NormalizerHarness.Ingress(Record("UserLoginFailed", null, null, resultStatus));

        Assert.Equal(SignInResult.Success, success.Result);
        Assert.Equal(SignInResult.Failure, failure.Result);
    }

    [Theory]
    [InlineData("50072", SignInResult.Interrupted)]
    [InlineData("50074", SignInResult.Interrupted)]
    [InlineData("50076", SignInResult.Interrupted)]
    [InlineData("50079", SignInResult.Interrupted)]
    [InlineData("50125", SignInResult.Interrupted)]
    [InlineData("50140", SignInResult.Interrupted)]
    [InlineData("50158", SignInResult.Interrupted)]
    [InlineData("50055", SignInResult.Failure)]
    [InlineData("50126", SignInResult.Failure)]
    [InlineData("50053", SignInResult.Failure)]
    [InlineData("50057", SignInResult.Failure)]
    [InlineData("500121", SignInResult.Failure)]
    [InlineData("53003", SignInResult.Failure)]
    [InlineData("70044", SignInResult.Failure)]
    [InlineData("700082", SignInResult.Failure)]
    [InlineData("50155", SignInResult.Failure)]
    [InlineData("12345", SignInResult.Failure)]
    public void SignIn_UserLoggedInWithErrorNumber_InterruptSetDecides(string errorNumber, SignInResult expected)
    {
        Assert.Equal(expected, NormalizerHarness.Ingress(Record("UserLoggedIn", null, errorNumber)).Result);
    }

    [Theory]
    [InlineData("ErrorCode", "50126", SignInResult.Failure)]
    [InlineData("ErrorCode", "50140", SignInResult.Interrupted)]
    [InlineData("ErrorCode", "0", SignInResult.Success)]
    public void SignIn_ErrorCodeField_UsedWhenNoErrorNumber(string field, string value, SignInResult expected)
    {
        var ingress = NormalizerHarness.Ingress(NormalizerHarness.SignIn($"\"{field}\":\"{value}\""));

        Assert.Equal(expected, ingress.Result);
        Assert.Equal(expected == SignInResult.Success ? null : value, ingress.FailureCode);
    }

    [Fact]
    public void SignIn_ErrorNumberAsJsonNumber_ReadLeniently()
    {
        var ingress = NormalizerHarness.Ingress(NormalizerHarness.SignIn("\"ErrorNumber\":50126"));

        Assert.Equal(SignInResult.Failure, ingress.Result);
        Assert.Equal("50126", ingress.FailureCode);
        Assert.Equal("Invalid username or password", ingress.FailureDescription);
    }

    [Theory]
    [InlineData("KmsiInterrupt", SignInResult.Interrupted)]
    [InlineData("UserStrongAuthClientAuthNRequired", SignInResult.Interrupted)]
    [InlineData("SomeNewInterrupt", SignInResult.Interrupted)]
    [InlineData("InvalidUserNameOrPassword", SignInResult.Failure)]
    [InlineData("IdsLocked", SignInResult.Failure)]
    public void SignIn_UserLoggedInWithLogonErrorOnly_ReasonDecides(string logonError, SignInResult expected)
    {
        var ingress = NormalizerHarness.Ingress(Record("UserLoggedIn", logonError, null));

        Assert.Equal(expected, ingress.Result);
        Assert.Null(ingress.FailureCode);
        Assert.Equal(logonError, ingress.FailureReason);
    }

    /// <summary>The description table (PROTOCOL.md §8's common codes).</summary>
    [Theory]
    [InlineData("50126", "Invalid username or password")]
    [InlineData("50053", "Account locked")]
    [InlineData("50057", "Account disabled")]
    [InlineData("50055", "Password expired")]
    [InlineData("50074", "Strong authentication (MFA) required")]
    [InlineData("50076", "Strong authentication (MFA) required")]
    [InlineData("50079", "Strong authentication (MFA) required")]
    [InlineData("500121", "Strong authentication failed")]
    [InlineData("50158", "External security challenge not satisfied")]
    [InlineData("53003", "Blocked by Conditional Access")]
    [InlineData("50140", "\"Keep me signed in\" interrupt")]
    [InlineData("70044", "Session expired")]
    [InlineData("700082", "Refresh token expired")]
    [InlineData("50155", "Device authentication failed")]
    [InlineData("-2147217390", "The entered and stored passwords do not match")]
    public void SignInCodes_Describe_CommonCodes(string code, string description)
    {
        Assert.Equal(description, SignInCodes.Describe(code, null));
        Assert.Equal(description, NormalizerHarness.Ingress(Record("UserLoginFailed", null, code)).FailureDescription);
    }

    [Fact]
    public void SignInCodes_Describe_UnknownCodeAndName_Null()
    {
        Assert.Null(SignInCodes.Describe("99999", "SomethingElse"));
        Assert.Equal("Invalid username or password", SignInCodes.Describe(null, "InvalidUserNameOrPassword"));
    }

    [Fact]
    public void SignIn_UserLoginFailedWithNameOnly_DescriptionFromName()
    {
        var ingress = NormalizerHarness.Ingress(Record("UserLoginFailed", "InvalidUserNameOrPassword", null));

        Assert.Null(ingress.FailureCode);
        Assert.Equal("Invalid username or password", ingress.FailureDescription);
    }

    [Fact]
    public void SignIn_LegacyRecordType9Failed_LoginStatusAndLoginErrorRead()
    {
        var ingress = NormalizerHarness.Ingress("""
            {"CreationTime":"2015-06-29T20:03:19","Id":"0a1b2c3d-0000-4000-8000-000000000009",
             "Operation":"PasswordLogonInitialAuthUsingPassword","RecordType":9,"ResultStatus":"failed","UserType":0,
             "Workload":"AzureActiveDirectory","ClientIP":"198.51.100.21","UserId":"admin@example.com",
             "ExtendedProperties":[{"Name":"LoginError","Value":"-2147217390;PP_E_BAD_PASSWORD;The entered and stored passwords do not match."}],
             "Client":"Exchange","LoginStatus":-2147217390,"UserDomain":"example.com"}
            """);

        Assert.Equal(SignInResult.Failure, ingress.Result);
        Assert.Equal("-2147217390", ingress.FailureCode);
        Assert.Equal("PP_E_BAD_PASSWORD", ingress.FailureReason);
        Assert.Equal("The entered and stored passwords do not match", ingress.FailureDescription);
        Assert.Equal("admin@example.com", ingress.User);
        Assert.Equal(9, ingress.RecordType);
    }

    [Fact]
    public void SignIn_LegacyRecordType9Succeeded_Success()
    {
        var ingress = NormalizerHarness.Ingress("""
            {"CreationTime":"2015-06-29T20:03:34","Id":"0a1b2c3d-0000-4000-8000-000000000010",
             "Operation":"PasswordLogonInitialAuthUsingPassword","RecordType":9,"ResultStatus":"success",
             "ClientIP":"198.51.100.21","UserId":"admin@example.com","LoginStatus":0}
            """);

        Assert.Equal(SignInResult.Success, ingress.Result);
        Assert.Null(ingress.FailureCode);
        Assert.Null(ingress.FailureReason);
        Assert.Null(ingress.FailureDescription);
    }

    [Fact]
    public void SignIn_LegacyLoginErrorOnly_CodeAndDescriptionFromItsParts()
    {
        var ingress = NormalizerHarness.Ingress("""
            {"CreationTime":"2015-06-29T20:03:19","Id":"0a1b2c3d-0000-4000-8000-000000000011","Operation":"PasswordLogonInitialAuthUsingPassword",
             "RecordType":9,"UserId":"admin@example.com",
             "ExtendedProperties":[{"Name":"LoginError","Value":"-2147186655;PP_E_SOMETHING;A made-up legacy error."}]}
            """);

        Assert.Equal(SignInResult.Failure, ingress.Result);
        Assert.Equal("-2147186655", ingress.FailureCode);
        Assert.Equal("PP_E_SOMETHING", ingress.FailureReason);
        Assert.Equal("A made-up legacy error.", ingress.FailureDescription);
    }

    [Fact]
    public void SignIn_RecordType15WithoutOperationOrCode_Unknown()
    {
        var ingress = NormalizerHarness.Ingress("""{"CreationTime":"2020-03-19T16:48:02","Id":"x","RecordType":"15","UserId":"someone@example.com"}""");

        Assert.Equal(SignInResult.Unknown, ingress.Result);
        Assert.Equal(15, ingress.RecordType);
    }

    [Theory]
    [InlineData("\"UserId\":\"grace@example.com\",\"UserKey\":\"1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d\"", "grace@example.com", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d")]
    [InlineData("\"UserId\":\"1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d\"", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d")]
    [InlineData("\"UserId\":\"Not Available\",\"UserKey\":\"1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d\"", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d")]
    [InlineData("\"UserId\":\"Not Available\"", "unknown", null)]
    [InlineData("\"UserId\":\"\"", "unknown", null)]
    [InlineData("\"UserKey\":\"1003200112EB07E6@example.com\"", "unknown", null)]
    [InlineData("\"UserId\":\"grace@example.com\",\"UserKey\":\"Not Available\"", "grace@example.com", null)]
    public void SignIn_User_UpnObjectIdOrUnknown(string userFields, string user, string? objectId)
    {
        var ingress = NormalizerHarness.Ingress($$"""
            {"CreationTime":"2024-08-29T23:59:58","Id":"7c8d9eaf-b0c1-42d3-a4f5-a6b7c8d9e0f1","Operation":"UserLoggedIn",
             "RecordType":15,{{userFields}}}
            """);

        Assert.Equal(user, ingress.User);
        Assert.Equal(objectId, ingress.UserObjectId);
    }

    [Fact]
    public void SignIn_FullRecord_AllFieldsRead()
    {
        var ingress = NormalizerHarness.Ingress("""
            {"CreationTime":"2024-09-01T07:30:00","Id":"2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6f","Operation":"UserLoggedIn",
             "RecordType":15,"Workload":"AzureActiveDirectory","ResultStatus":"Success","UserType":0,
             "UserId":"ivan@example.com","UserKey":"3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f","ClientIP":"198.51.100.33",
             "ApplicationId":"00000002-0000-0ff1-ce00-000000000000","ErrorNumber":"0",
             "ExtendedProperties":[{"Name":"ResultStatusDetail","Value":"Redirect"},{"Name":"UserAgent","Value":"Mozilla/5.0 (X11; Linux x86_64)"},
               {"Name":"UserAuthenticationMethod","Value":"1"},{"Name":"RequestType","Value":"OAuth2:Authorize"},
               {"Name":"KeepMeSignedIn","Value":"true"}],
             "DeviceProperties":[{"Name":"OS","Value":"Windows10"},{"Name":"BrowserType","Value":"Edge"},
               {"Name":"IsCompliant","Value":"True"},{"Name":"IsCompliantAndManaged","Value":"False"},
               {"Name":"TrustType","Value":"Azure AD joined"},{"Name":"Id","Value":"4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a"},
               {"Name":"DisplayName","Value":"LAPTOP-EXAMPLE"},{"Name":"SessionId","Value":"ignored"}]}
            """);

        Assert.Equal(SignInResult.Success, ingress.Result);
        Assert.Equal("ivan@example.com", ingress.User);
        Assert.Equal("3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", ingress.UserObjectId);
        Assert.Equal("00000002-0000-0ff1-ce00-000000000000", ingress.ApplicationId);
        Assert.Equal("Office 365 Exchange Online", ingress.ApplicationName);
        Assert.Equal("Mozilla/5.0 (X11; Linux x86_64)", ingress.UserAgent);
        Assert.Equal("1", ingress.AuthenticationMethod);
        Assert.Equal("OAuth2:Authorize", ingress.RequestType);
        Assert.Equal("Redirect", ingress.ResultStatusDetail);
        Assert.True(ingress.KeepMeSignedIn);
        Assert.Equal(
            new DeviceInfo
            {
                OperatingSystem = "Windows10",
                Browser = "Edge",
                IsCompliant = true,
                IsManaged = false,
                TrustType = "Azure AD joined",
                DeviceId = "4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a",
                DisplayName = "LAPTOP-EXAMPLE",
            },
            ingress.Device);
        Assert.True(ingress.LocationReliable);
        Assert.Null(ingress.LocationUnreliableReason);
        Assert.Null(ingress.Location);
        Assert.Equal(NormalizerHarness.TenantT1, ingress.TenantId);
        Assert.Equal(NormalizerHarness.IngestTime, ingress.IngestTime);
        Assert.Equal("Audit.AzureActiveDirectory", ingress.ContentType);
        Assert.Equal(0, ingress.Sequence);
    }

    [Fact]
    public void SignIn_NoDeviceProperties_DeviceNull()
    {
        Assert.Null(NormalizerHarness.Ingress(NormalizerHarness.SignIn()).Device);
        Assert.Null(NormalizerHarness.Ingress(NormalizerHarness.SignIn("\"DeviceProperties\":[{\"Name\":\"SessionId\",\"Value\":\"x\"}]")).Device);
    }

    [Theory]
    [InlineData("\"KeepMeSignedIn\":true", true)]
    [InlineData("\"KeepMeSignedIn\":\"False\"", false)]
    [InlineData("\"ExtendedProperties\":[{\"Name\":\"KeepMeSignedIn\",\"Value\":\"True\"}]", true)]
    [InlineData("\"KeepMeSignedIn\":\"maybe\"", null)]
    [InlineData("", null)]
    public void SignIn_KeepMeSignedIn_ReadLeniently(string field, bool? expected)
    {
        Assert.Equal(expected, NormalizerHarness.Ingress(NormalizerHarness.SignIn(field)).KeepMeSignedIn);
    }

    [Theory]
    [InlineData("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online")]
    [InlineData("00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online")]
    [InlineData("00000003-0000-0000-c000-000000000000", "Microsoft Graph")]
    [InlineData("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal")]
    [InlineData("4765445b-32c6-49b0-83e6-1d93765276ca", "Microsoft Office")]
    [InlineData("1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams")]
    [InlineData("04B07795-8DDB-461A-BBEE-02F9E1BF7B46", "Microsoft Azure CLI")]
    [InlineData("27922004-5251-4030-b22d-91ecd9a37ea4", "Outlook Mobile")]
    [InlineData("c5393580-f805-4401-95e8-94b7a6ef2fc2", "Office 365 Management APIs")]
    [InlineData("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", null)]
    public void WellKnownApplications_NameOf_KnownIdsOnly(string applicationId, string? name)
    {
        Assert.Equal(name, WellKnownApplications.NameOf(applicationId));
        Assert.Equal(name, NormalizerHarness.Ingress(NormalizerHarness.SignIn($"\"ApplicationId\":\"{applicationId}\"")).ApplicationName);
    }

    [Theory]
    [InlineData("frank@example.org", false)]
    [InlineData("frank@EXAMPLE.ORG", false)]
    [InlineData("frank@example.com", true)]
    [InlineData("frank@sub.example.org", true)]
    [InlineData("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", true)]
    public void SignIn_FederatedDomain_LocationNotReliable(string userId, bool reliable)
    {
        var record = $$"""
            {"CreationTime":"2024-08-29T23:59:58","Id":"7c8d9eaf-b0c1-42d3-a4f5-a6b7c8d9e0f1","Operation":"UserLoggedIn",
             "RecordType":15,"UserId":"{{userId}}","ClientIP":"198.51.100.60"}
            """;

        var ingress = NormalizerHarness.Ingress(record, context: NormalizerHarness.Context("example.org", "example.net"));

        Assert.Equal(reliable, ingress.LocationReliable);
        if (reliable)
        {
            Assert.Null(ingress.LocationUnreliableReason);
        }
        else
        {
            Assert.Equal(
                "The user's domain example.org is federated (AD FS): the sign-in address is the federation proxy's, not the user's.",
                ingress.LocationUnreliableReason);
        }

        // The address itself is still reported as the record gives it.
        Assert.Equal("198.51.100.60", ingress.ClientAddress?.Ip);
    }

    [Fact]
    public void SignIn_ExtendedPropertiesAsString_KeptAsOneEntryAndNoError()
    {
        var ingress = NormalizerHarness.Ingress(NormalizerHarness.SignIn("\"ExtendedProperties\":\"-Name \\\"foo\\\" -Force \\\"True\\\"\",\"ErrorNumber\":\"0\""));

        Assert.Equal(SignInResult.Success, ingress.Result);
        var entry = Assert.Single(ingress.ExtendedProperties);
        Assert.Equal("ExtendedProperties", entry.Name);
        Assert.Equal("-Name \"foo\" -Force \"True\"", entry.Value);
        Assert.Null(ingress.UserAgent);
    }

    [Fact]
    public void SignIn_UserAgentAtTopLevel_UsedWhenNotInExtendedProperties()
    {
        Assert.Equal("Agent/1.0", NormalizerHarness.Ingress(NormalizerHarness.SignIn("\"UserAgent\":\"Agent/1.0\"")).UserAgent);
    }

    [Fact]
    public void SignIn_OperationInOtherCaseAndNoRecordType_StillSignIn()
    {
        var ingress = NormalizerHarness.Ingress("""{"Id":"EVENT_X","CreationTime":"2025-12-05T04:00:00","Operation":"userloginfailed","UserId":"admin@example.com"}""");

        Assert.Equal(SignInResult.Failure, ingress.Result);
        Assert.Equal(0, ingress.RecordType);
        Assert.Equal("userloginfailed", ingress.Operation);
    }

    private static string Record(string operation, string? logonError, string? errorNumber, string resultStatus = "Success") =>
        $$"""
        {"CreationTime":"2024-08-29T23:59:58","Id":"7c8d9eaf-b0c1-42d3-a4f5-a6b7c8d9e0f1","Operation":"{{operation}}",
         "RecordType":15,"Workload":"AzureActiveDirectory","ResultStatus":"{{resultStatus}}","UserType":0,
         "UserId":"frank@example.com","ClientIP":"203.0.113.50"
         {{(logonError is null ? "" : $",\"LogonError\":\"{logonError}\"")}}
         {{(errorNumber is null ? "" : $",\"ErrorNumber\":\"{errorNumber}\"")}}}
        """;
}
