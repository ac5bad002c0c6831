using System.Text;
using System.Text.Json;

namespace O365Activity.Emulator.Http;

/// <summary>Writes the exact JSON shapes of the real endpoints (property order as the real services send them).</summary>
internal static class Json
{
    public const string ContentType = "application/json; charset=utf-8";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The Management API's error body: <c>{"error":{"code":..,"message":..}}</c>.</summary>
    public static string ApiErrorBody(string code, string message) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("code", code);
        w.WriteString("message", message);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>Entra's error body: <c>{"error":..,"error_description":..,"error_codes":[n]}</c> (cases AU1, AU5).</summary>
    public static string EntraErrorBody(string error, string description, int code) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("error", error);
        w.WriteString("error_description", description);
        w.WriteStartArray("error_codes");
        w.WriteNumberValue(code);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Answers <paramref name="status"/> with a JSON body and remembers the error code for the request log.</summary>
    public static Task SendAsync(HttpContext context, int status, string body, string? errorCode = null)
    {
        if (errorCode is not null)
        {
            RequestLogging.SetErrorCode(context, errorCode);
        }

        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = ContentType;
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    /// <summary>Answers an API error <c>{"error":{"code":..,"message":..}}</c>.</summary>
    public static Task ApiErrorAsync(HttpContext context, int status, string code, string message) =>
        SendAsync(context, status, ApiErrorBody(code, message), code);
}
