using System.Net;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Identity;

namespace OpenRed.Core.Mesh;

/// <summary>
/// Background dials to known fingerprints: one at a time per peer, retried with doubling backoff until a session
/// is up, the peer is forgotten, or <see cref="MeshOptions.ReconnectGiveUpAfter"/> has passed.
/// </summary>
internal sealed partial class Dialer : IAsyncDisposable
{
    private readonly MeshService _mesh;
    private readonly MeshOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<Fingerprint, Attempt> _attempts = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();

    public Dialer(MeshService mesh, MeshOptions options, TimeProvider time, ILogger<Dialer> logger)
    {
        _mesh = mesh;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Dials <paramref name="address"/> expecting <paramref name="expected"/>, unless a session with it is up or a
    /// dial is already under way (then the newer address is used for its next try).
    /// </summary>
    public void Request(IPEndPoint address, Fingerprint expected, string why, bool retry)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(expected);
        if (_stopping.IsCancellationRequested || expected == _mesh.Self || _mesh.Find(expected) is not null)
        {
            return;
        }

        lock (_lock)
        {
            if (_attempts.TryGetValue(expected, out var running))
            {
                running.Address = address;
                running.Retry |= retry;
                running.Wake();
                return;
            }

            var attempt = new Attempt(address, retry, _time.GetUtcNow());
            _attempts[expected] = attempt;
            attempt.Task = RunAsync(expected, attempt, why, _stopping.Token);
        }
    }

    /// <summary>Stops trying to reach a peer (the user disconnected it, say).</summary>
    public void Forget(Fingerprint fingerprint)
    {
        lock (_lock)
        {
            if (_attempts.Remove(fingerprint, out var attempt))
            {
                attempt.Cancel();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync();
        Task[] tasks;
        lock (_lock)
        {
            tasks = [.. _attempts.Values.Select(a => a.Task).OfType<Task>()];
        }

        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(static _ => { }, TaskScheduler.Default);
        _stopping.Dispose();
    }

    private async Task RunAsync(Fingerprint expected, Attempt attempt, string why, CancellationToken stopping)
    {
        await Task.Yield();
        var delay = _options.ReconnectMinBackoff;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, attempt.Cancelled);
        try
        {
            while (!linked.IsCancellationRequested && _mesh.Find(expected) is null)
            {
                var address = attempt.Address;
                try
                {
                    LogDialing(_logger, expected.Short, OpenRed.Core.Common.Endpoints.Format(address), why);
                    await _mesh.ConnectAsync(address, expected, linked.Token);
                    return;
                }
                catch (ConnectException e)
                {
                    LogDialFailed(_logger, expected.Short, e.Message);
                }

                if (!attempt.Retry || _time.GetUtcNow() - attempt.Since > _options.ReconnectGiveUpAfter)
                {
                    return;
                }

                await attempt.WaitAsync(delay, _time, linked.Token);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxBackoff.Ticks));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping or forgotten.
        }
        finally
        {
            lock (_lock)
            {
                if (_attempts.TryGetValue(expected, out var current) && ReferenceEquals(current, attempt))
                {
                    _attempts.Remove(expected);
                }
            }
        }
    }

    private sealed class Attempt(IPEndPoint address, bool retry, DateTimeOffset since)
    {
        private readonly CancellationTokenSource _cancel = new();
        private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IPEndPoint Address { get; set; } = address;

        public bool Retry { get; set; } = retry;

        public DateTimeOffset Since { get; } = since;

        public Task? Task { get; set; }

        public CancellationToken Cancelled => _cancel.Token;

        public void Cancel() => _cancel.Cancel();

        /// <summary>A fresh hint (a new address, a beacon) cuts the current wait short.</summary>
        public void Wake() => _wake.TrySetResult();

        public async Task WaitAsync(TimeSpan delay, TimeProvider time, CancellationToken ct)
        {
            var wake = _wake.Task;
            await Task.WhenAny(Task.Delay(delay, time, ct), wake);
            ct.ThrowIfCancellationRequested();
            if (wake.IsCompleted)
            {
                _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Debug, Message = "Dialling {Fingerprint} at {Address} ({Why})")]
    private static partial void LogDialing(ILogger logger, string fingerprint, string address, string why);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "Dial to {Fingerprint} failed: {Reason}")]
    private static partial void LogDialFailed(ILogger logger, string fingerprint, string reason);
}
