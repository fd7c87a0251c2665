using Microsoft.Extensions.Logging;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>
/// --auto-resurrect: each URN is tried in the background, again after a delay that doubles up to a ceiling (and at
/// once when a new session opens), until it is held; then it is pinned.
/// </summary>
internal sealed partial class AutoResurrector(
    IReadOnlyList<UrnRequest> requests, Func<UrnRequest, CancellationToken, Task> resolve, PhoenixOptions options, TimeProvider time,
    ILogger logger)
{
    private readonly Entry[] _entries = [.. requests.Select(r => new Entry(r))];
    private TaskCompletionSource _wake = New();

    public IReadOnlyList<AutoResurrectState> States =>
        [.. _entries.Select(e => new AutoResurrectState(e.Request.ToString(), e.Held, e.Attempts, e.Held ? null : e.NextAt, e.LastError))];

    /// <summary>Tries every waiting URN now (a session opened: it may hold one).</summary>
    public void Wake() => Interlocked.Exchange(ref _wake, New()).TrySetResult();

    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_entries.Select(e => RunOneAsync(e, cancellationToken)));

    private async Task RunOneAsync(Entry entry, CancellationToken cancellationToken)
    {
        var delay = options.AutoResurrectFirstDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            entry.Attempts++;
            try
            {
                await resolve(entry.Request, cancellationToken);
                entry.Held = true;
                entry.LastError = null;
                LogHeld(logger, entry.Request.ToString(), entry.Attempts);
                return;
            }
            catch (PhoenixException e)
            {
                entry.LastError = e.Message;
                LogRetry(logger, entry.Request.ToString(), e.Message, delay.TotalSeconds);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            entry.NextAt = time.GetUtcNow() + delay;
            var wake = Volatile.Read(ref _wake).Task;
            try
            {
                await Task.WhenAny(wake, Task.Delay(delay, time, cancellationToken));
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.AutoResurrectMaxDelay.Ticks));
        }
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Entry(UrnRequest request)
    {
        public UrnRequest Request { get; } = request;

        public volatile bool Held;

        public int Attempts;

        public DateTimeOffset? NextAt;

        public string? LastError;
    }

    [LoggerMessage(EventId = 6130, Level = LogLevel.Information, Message = "Auto-resurrect: {Urn} held and pinned after {Attempts} attempt(s)")]
    private static partial void LogHeld(ILogger logger, string urn, int attempts);

    [LoggerMessage(EventId = 6131, Level = LogLevel.Debug, Message = "Auto-resurrect: {Urn} not yet: {Reason}; again within {Seconds} s")]
    private static partial void LogRetry(ILogger logger, string urn, string reason, double seconds);
}
