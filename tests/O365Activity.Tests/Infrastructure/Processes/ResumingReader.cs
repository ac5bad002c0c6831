using Grpc.Core;
using O365Activity.Protos.V1;

namespace O365Activity.Tests.Infrastructure.Processes;

/// <summary>
/// A client of a tenant's raw stream that keeps what it got (sequence and record id, in arrival order) and, when
/// <see cref="Resume"/> is on, reconnects after any failure with <c>after_sequence</c> = the last sequence it got, as a
/// well-behaved consumer does. Without it, the first failure ends the reader (<see cref="Error"/>).
/// </summary>
public sealed class ResumingReader : IAsyncDisposable
{
    private readonly Func<Activity.ActivityClient> _client;
    private readonly string _tenant;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(long Sequence, string RecordId)> _received = [];
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;

    private ResumingReader(Func<Activity.ActivityClient> client, Guid tenant, long after, bool resume)
    {
        _client = client;
        _tenant = tenant.ToString();
        Resume = resume;
        _loop = Task.Run(() => RunAsync(after));
    }

    /// <summary>Whether the reader reconnects after a failure.</summary>
    public bool Resume { get; }

    /// <summary>How often it (re)connected.</summary>
    public int Connections { get; private set; }

    /// <summary>The failure that ended a non-resuming reader; null otherwise.</summary>
    public RpcException? Error { get; private set; }

    /// <summary>What arrived, in order.</summary>
    public IReadOnlyList<(long Sequence, string RecordId)> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>Completes when the reader stopped: a non-resuming reader's call failed (<see cref="Error"/>) or ended, or it was disposed.</summary>
    public Task Ended => _loop;

    /// <summary>Completes once a call's response headers arrived: the stream's position is fixed and it follows live.</summary>
    public Task Subscribed => _subscribed.Task;

    /// <summary>The last sequence received (or the starting position).</summary>
    public long Last { get; private set; }

    /// <summary>Starts reading after <paramref name="after"/>.</summary>
    public static ResumingReader Start(Func<Activity.ActivityClient> client, Guid tenant, long after, bool resume) => new(client, tenant, after, resume);

    /// <summary>Waits until <paramref name="count"/> events arrived.</summary>
    public async Task WaitForCountAsync(int count, TimeSpan timeout, Func<string>? context = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Received.Count < count)
        {
            if (DateTime.UtcNow > deadline || _loop.IsCompleted)
            {
                throw new Xunit.Sdk.XunitException($"Expected {count} events within {timeout}, got {Received.Count} (last sequence {Last}, error {Error?.Status}).\n{context?.Invoke()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Stops reading.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync(long after)
    {
        Last = after;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var call = _client().StreamRaw(new StreamRequest { TenantId = _tenant, AfterSequence = Last }, cancellationToken: _stop.Token);
                Connections++;
                await call.ResponseHeadersAsync;
                _subscribed.TrySetResult();
                await foreach (var record in call.ResponseStream.ReadAllAsync(_stop.Token))
                {
                    lock (_received)
                    {
                        _received.Add((record.Header.Sequence, record.Header.RecordId));
                    }

                    Last = record.Header.Sequence;
                }
            }
            catch (RpcException e) when (!_stop.IsCancellationRequested)
            {
                if (!Resume)
                {
                    Error = e;
                    return;
                }

                await Task.Delay(300, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException && _stop.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
