using Grpc.Core;

namespace O365Activity.Tests.Infrastructure;

/// <summary>Reads a gRPC server stream in the background and lets a test wait for a number of messages.</summary>
public sealed class StreamCollector<T> : IAsyncDisposable
{
    private readonly AsyncServerStreamingCall<T> _call;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<T> _items = [];
    private readonly Task _reader;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private StreamCollector(AsyncServerStreamingCall<T> call)
    {
        _call = call;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>Messages received so far.</summary>
    public IReadOnlyList<T> Items
    {
        get
        {
            lock (_items)
            {
                return [.. _items];
            }
        }
    }

    /// <summary>The call's failure, when it ended with one.</summary>
    public RpcException? Error { get; private set; }

    /// <summary>Starts reading once the call's response headers (the gateway's "subscribed" signal) have arrived.</summary>
    public static async Task<StreamCollector<T>> StartAsync(AsyncServerStreamingCall<T> call)
    {
        var headers = await call.ResponseHeadersAsync.WaitAsync(TimeSpan.FromSeconds(30));
        if (headers.Get("subscribed") is null)
        {
            // A call refused before subscribing ends with headers only: surface its status.
            await call.ResponseStream.MoveNext(CancellationToken.None);
            throw new Xunit.Sdk.XunitException($"The stream ended before subscribing: {call.GetStatus()}");
        }

        return new StreamCollector<T>(call);
    }

    /// <summary>Waits until at least <paramref name="count"/> messages arrived; fails with what came when the time runs out.</summary>
    public async Task<IReadOnlyList<T>> WaitForCountAsync(int count, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_items)
            {
                if (_items.Count >= count)
                {
                    return [.. _items];
                }

                changed = _changed.Task;
            }

            if (_reader.IsCompleted)
            {
                throw new Xunit.Sdk.XunitException($"The stream ended after {Items.Count} of {count} expected messages: {Error?.Status}");
            }

            try
            {
                await Task.WhenAny(changed, _reader).WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException($"Expected {count} messages within {timeout}, got {Items.Count}: {string.Join(" | ", Items)}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _call.Dispose();
        try
        {
            await _reader;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var item in _call.ResponseStream.ReadAllAsync(_stop.Token))
            {
                lock (_items)
                {
                    _items.Add(item);
                    var changed = _changed;
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    changed.SetResult();
                }
            }
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            Error = e;
        }
        catch (RpcException)
        {
        }
        catch (OperationCanceledException)
        {
        }
    }
}
