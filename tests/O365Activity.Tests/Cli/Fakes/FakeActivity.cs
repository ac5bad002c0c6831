using Grpc.Core;
using O365Activity.Protos.V1;

namespace O365Activity.Tests.Cli.Fakes;

/// <summary>An <c>Activity</c> service whose ingress stream sends one sign-in, as given, then stays open until the caller leaves.</summary>
public sealed class FakeActivity(IngressEvent signIn) : Activity.ActivityBase
{
    public override async Task StreamIngress(StreamRequest request, IServerStreamWriter<IngressEvent> responseStream, ServerCallContext context)
    {
        await context.WriteResponseHeadersAsync(new Metadata { { "subscribed", "true" } });
        await responseStream.WriteAsync(signIn);
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The client stopped reading.
        }
    }
}
