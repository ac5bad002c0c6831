using System.Net;
using O365Activity.Grains.Collection;

namespace O365Activity.Tests.Collection;

/// <summary>Calm retries: a floor, a capped exponential back-off with jitter, the API's Retry-After; and permissions missing told apart.</summary>
public sealed class ApiRetryPolicyTests
{
    [Theory]
    [InlineData(0, 0.0, 1.0)]
    [InlineData(0, 0.999, 1.4995)]
    [InlineData(1, 0.0, 2.0)]
    [InlineData(1, 0.5, 2.5)]
    [InlineData(2, 0.0, 4.0)]
    [InlineData(2, 0.999, 5.0)]
    [InlineData(10, 0.0, 5.0)]
    public void Delay_WithoutRetryAfter_IsExponentialWithJitterBetweenTheFloorAndTheCap(int attempt, double jitter, double seconds)
    {
        Assert.Equal(seconds, ApiRetryPolicy.Delay(attempt, null, jitter).TotalSeconds, 3);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.2, 1.0)]
    [InlineData(3.0, 3.0)]
    [InlineData(9.0, 5.0)]
    public void Delay_WithRetryAfter_WaitsWhatTheApiAskedNeverLessThanTheFloor(double retryAfter, double seconds)
    {
        Assert.Equal(seconds, ApiRetryPolicy.Delay(0, TimeSpan.FromSeconds(retryAfter), 0.7).TotalSeconds, 3);
    }

    [Fact]
    public void RetryAfter_AsADate_IsMeasuredAgainstTheResponsesOwnDate()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        var serverNow = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        response.Headers.Date = serverNow;
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(serverNow.AddSeconds(90));

        Assert.Equal(TimeSpan.FromSeconds(90), ApiRetryPolicy.RetryAfter(response));
    }

    [Theory]
    [InlineData("DLP.All", 401, null, "ActivityFeed.ReadDlp")]
    [InlineData("DLP.All", 403, null, "ActivityFeed.ReadDlp")]
    [InlineData("DLP.All", 401, "AF10001", "ActivityFeed.ReadDlp")]
    [InlineData("DLP.All", 403, "AF429", null)]
    [InlineData("Audit.Exchange", 401, "AF10001", "ActivityFeed.Read")]
    [InlineData("Audit.Exchange", 403, null, null)]
    [InlineData("Audit.Exchange", 503, null, null)]
    public void MissingPermission_NamesThePermissionToGrant(string contentType, int status, string? code, string? permission)
    {
        var error = new ManagementApiException((HttpStatusCode)status, code, "refused");

        Assert.Equal(permission, ApiErrorText.MissingPermission(error, contentType));
    }

    [Theory]
    [InlineData("Audit.General", 400, "AF20011", true)]
    [InlineData("Audit.General", 401, "AF10001", true)]
    [InlineData("Audit.General", 400, "AF20010", true)]
    [InlineData("DLP.All", 403, null, true)]
    [InlineData("Audit.General", 403, "AF429", false)]
    [InlineData("Audit.General", 503, "AF50000", false)]
    [InlineData("Audit.General", 400, "AF20022", false)]
    [InlineData("Audit.General", 400, "AF20051", false)]
    public void NeedsAttention_ConfigurationErrorsYesTransientAndRecoverableNo(string contentType, int status, string? code, bool expected)
    {
        Assert.Equal(expected, ApiErrorText.NeedsAttention(new ManagementApiException((HttpStatusCode)status, code, "refused"), contentType));
    }

    [Theory]
    [InlineData("unauthorized_client", "AADSTS700016: Application with identifier 'x' was not found in the directory 'y'.", true)]
    [InlineData("invalid_client", "AADSTS7000215: Invalid client secret provided.", true)]
    [InlineData("temporarily_unavailable", "The service is temporarily unavailable.", false)]
    [InlineData("service_not_available", "HTTP 503", false)]
    public void NeedsAttention_TokenRefusals(string error, string message, bool expected)
    {
        Assert.Equal(expected, ApiErrorText.NeedsAttention(new TokenAcquisitionException(error, message)));
    }
}
