using System.Globalization;
using Microsoft.AspNetCore.Http.Extensions;

namespace O365Activity.Emulator.Http;

/// <summary>
/// The middleware every request passes: it stamps the emulator's <c>Date</c>, answers injected faults, turns unexpected
/// exceptions into 500 AF50000, writes one log line per request and appends the request to the request log.
/// </summary>
internal sealed partial class RequestLogging(RequestDelegate next, EmulatorRuntime runtime)
{
    private const string ErrorCodeKey = "emulator.errorCode";
    private const string TenantKey = "emulator.tenant";
    private const string ClientIdKey = "emulator.clientId";

    public static void SetErrorCode(HttpContext context, string code) => context.Items[ErrorCodeKey] = code;

    public static void SetTenant(HttpContext context, Guid tenant) => context.Items[TenantKey] = tenant;

    public static void SetClientId(HttpContext context, string? clientId) => context.Items[ClientIdKey] = clientId;

    public async Task InvokeAsync(HttpContext context)
    {
        var state = runtime.State;
        var arrived = state.UtcNow;
        var request = context.Request;
        var pathAndQuery = request.Path.ToUriComponent() + request.QueryString.ToUriComponent();
        var (kind, tenantSegment) = Classify(request.Path.Value ?? "/");
        Guid? tenant = Guid.TryParse(tenantSegment, out var parsed) ? parsed : null;

        FaultHandle? fault = null;
        var logged = false;
        void LogOnce()
        {
            if (logged)
            {
                return;
            }

            logged = true;
            var status = fault?.Rule.AbortConnection == true ? 0 : context.Response.StatusCode;
            state.Log(new EmulatorRequest(
                arrived,
                request.Method,
                new Uri(request.GetEncodedUrl()),
                kind,
                tenantSegment,
                context.Items.TryGetValue(TenantKey, out var t) && t is Guid chosen ? chosen : tenant,
                status,
                context.Items.TryGetValue(ErrorCodeKey, out var code) ? code as string : null,
                fault is not null,
                context.Items.TryGetValue(ClientIdKey, out var client) ? client as string : null));
            LogRequest(runtime.Logger, request.Method, pathAndQuery, status, fault is null ? "" : " (injected fault)");
        }

        context.Response.OnStarting(() =>
        {
            // Kestrel's own Date comes from the real clock; the emulator's clock (fake time, skew) is what clients must see.
            context.Response.Headers.Date = state.UtcNow.ToString("R", CultureInfo.InvariantCulture);

            // Logged before the client can have the answer, so a test that got it also finds it in the log.
            LogOnce();
            return Task.CompletedTask;
        });

        fault = state.TakeFault(request.Method, pathAndQuery, kind, tenant);
        if (fault is { Rule.DelayOnly: true } slow)
        {
            fault = null;
            try
            {
                await Task.Delay(slow.Rule.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (fault is { Rule.CutBodyAfterBytes: { } cutAfter })
        {
            context.Response.Body = new CuttingStream(context, context.Response.Body, cutAfter);
        }

        if (fault is { Rule.CutBodyAfterBytes: null })
        {
            await AnswerFaultAsync(context, fault.Rule);
        }
        else
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
            {
                LogFailure(runtime.Logger, e, request.Method, pathAndQuery);
                if (!context.Response.HasStarted)
                {
                    context.Response.Clear();
                    await Json.ApiErrorAsync(context, 500, "AF50000", "An internal error occurred. Retry the request.");
                }
            }
            catch (Exception) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away; nothing to answer.
            }
        }

        LogOnce();
    }

    /// <summary>What a path is, and its tenant segment.</summary>
    internal static (RequestKind Kind, string? Tenant) Classify(string path)
    {
        var s = path.Trim('/').Split('/');
        if (s.Length == 4 && Eq(s[1], "oauth2") && Eq(s[2], "v2.0") && Eq(s[3], "token"))
        {
            return (RequestKind.Token, s[0]);
        }

        if (s.Length == 3 && Eq(s[1], "v2.0") && Eq(s[2], "adminconsent"))
        {
            return (RequestKind.AdminConsent, s[0]);
        }

        if (s.Length >= 5 && Eq(s[0], "api") && Eq(s[1], "v1.0") && Eq(s[3], "activity") && Eq(s[4], "feed"))
        {
            var kind = s.Length switch
            {
                7 when Eq(s[5], "subscriptions") && Eq(s[6], "start") => RequestKind.StartSubscription,
                7 when Eq(s[5], "subscriptions") && Eq(s[6], "stop") => RequestKind.StopSubscription,
                7 when Eq(s[5], "subscriptions") && Eq(s[6], "list") => RequestKind.ListSubscriptions,
                7 when Eq(s[5], "subscriptions") && Eq(s[6], "content") => RequestKind.ListContent,
                7 when Eq(s[5], "subscriptions") && Eq(s[6], "notifications") => RequestKind.ListNotifications,
                7 when Eq(s[5], "audit") => RequestKind.GetBlob,
                _ => RequestKind.Other,
            };
            return (kind, s[2]);
        }

        return (RequestKind.Other, null);
    }

    private static bool Eq(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static async Task AnswerFaultAsync(HttpContext context, FaultRule rule)
    {
        if (rule.Delay > TimeSpan.Zero)
        {
            await Task.Delay(rule.Delay, context.RequestAborted);
        }

        if (rule.AbortConnection)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = rule.StatusCode;
        foreach (var (name, value) in rule.Headers)
        {
            context.Response.Headers[name] = value;
        }

        if (rule.ContentType is not null)
        {
            context.Response.ContentType = rule.ContentType;
        }

        SetErrorCode(context, "fault");
        if (rule.BodyBytes is { } bytes)
        {
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        }
        else
        {
            await context.Response.WriteAsync(rule.Body, context.RequestAborted);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {PathAndQuery} -> {StatusCode}{Note}")]
    private static partial void LogRequest(ILogger logger, string method, string pathAndQuery, int statusCode, string note);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "{Method} {PathAndQuery} failed inside the emulator")]
    private static partial void LogFailure(ILogger logger, Exception exception, string method, string pathAndQuery);

    /// <summary>A response body that lets <c>limit</c> bytes through, then flushes them and aborts the connection.</summary>
    private sealed class CuttingStream(HttpContext context, Stream inner, int limit) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var room = limit - _written;
            if (buffer.Length <= room)
            {
                _written += buffer.Length;
                await inner.WriteAsync(buffer, cancellationToken);
                return;
            }

            if (room > 0)
            {
                await inner.WriteAsync(buffer[..(int)room], cancellationToken);
                _written = limit;
            }

            // The bytes and the headers must be on the wire before the reset, or the client sees a request that failed
            // before any answer (which it retries) rather than a body cut mid-stream.
            await inner.FlushAsync(cancellationToken);
            await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None);
            context.Abort();
            throw new OperationCanceledException("The emulator cut the body (an injected fault).");
        }
    }
}
