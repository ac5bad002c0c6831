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
}
