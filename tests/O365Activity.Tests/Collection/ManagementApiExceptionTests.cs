using System.Net;
using O365Activity.Grains.Collection;

namespace O365Activity.Tests.Collection;

public sealed class ManagementApiExceptionTests
{
    [Fact]
    public void FromResponse_ApiErrorBody_ReadsCodeAndMessage()
    {
        var e = ManagementApiException.FromResponse(HttpStatusCode.BadRequest, """{"error":{"code":"AF20022","message":"No subscription found for the specified content type"}}""", "listing Audit.General content");

        Assert.Equal("AF20022", e.Code);
        Assert.True(e.HasApiCode);
        Assert.False(e.IsThrottled);
        Assert.Equal("API error listing Audit.General content: No subscription found for the specified content type", e.Message);
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.Forbidden)]
    public void FromResponse_AF429_IsThrottledWhateverTheStatus(HttpStatusCode status)
    {
        var e = ManagementApiException.FromResponse(status, """{"error":{"code":"AF429","message":"Too many requests. Method=GetBlob, PublisherId=x"}}""", "fetching content c1");

        Assert.True(e.IsThrottled);
        Assert.Equal("AF429", e.Code);
    }

    [Fact]
    public void FromResponse_HtmlBody_KeepsTheTextAndHasNoCode()
    {
        var e = ManagementApiException.FromResponse(HttpStatusCode.BadGateway, "<html><body>Bad gateway</body></html>", "listing Audit.Exchange content");

        Assert.Null(e.Code);
        Assert.Equal("<html><body>Bad gateway</body></html>", e.RawBody);
        Assert.Contains("HTTP 502", e.Message, StringComparison.Ordinal);
        Assert.Contains("Bad gateway", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromResponse_W01_NonAfCode_IsAProtocolError()
    {
        var e = ManagementApiException.FromResponse(HttpStatusCode.BadRequest, """{"error":{"code":"System.ArgumentNullException: Value cannot be null.","message":"s"}}""", "listing Audit.General content");

        Assert.False(e.HasApiCode);
        Assert.Equal("System.ArgumentNullException: Value cannot be null.", e.Code);
    }

    [Fact]
    public void FromResponse_ErrorAsList_DoesNotThrow()
    {
        var e = ManagementApiException.FromResponse(HttpStatusCode.BadRequest, """[{"error":"odd"}]""", "listing");

        Assert.Null(e.Code);
        Assert.Equal(HttpStatusCode.BadRequest, e.Status);
    }
}
