using Grpc.Core;
using Proto = O365Activity.Protos.V1;

namespace O365Activity.Gateway.Services;

/// <summary>The <c>History</c> gRPC service (<c>protos/o365activity/v1/history.proto</c>): the queries of <see cref="HistoryQueries"/>.</summary>
public sealed class HistoryService(HistoryQueries queries) : Proto.History.HistoryBase
{
    /// <inheritdoc />
    public override Task<Proto.ListIngressResponse> ListIngress(Proto.ListIngressRequest request, ServerCallContext context) =>
        queries.ListIngressAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<Proto.ListAdminResponse> ListAdmin(Proto.ListAdminRequest request, ServerCallContext context) =>
        queries.ListAdminAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<Proto.UserActivity> GetUserActivity(Proto.GetUserActivityRequest request, ServerCallContext context) =>
        queries.GetUserActivityAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<Proto.ListLocationsResponse> ListLocations(Proto.ListLocationsRequest request, ServerCallContext context) =>
        queries.ListLocationsAsync(request, context.CancellationToken);
}
