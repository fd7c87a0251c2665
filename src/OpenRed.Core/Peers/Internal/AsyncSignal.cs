namespace OpenRed.Core.Peers.Internal;

/// <summary>An auto-reset wake-up for one waiting loop: many sets before a wait count as one.</summary>
internal sealed class AsyncSignal
{
    private TaskCompletionSource _set = New();

    public void Set() => Volatile.Read(ref _set).TrySetResult();

    /// <summary>Waits until set or until <paramref name="timeout"/> passes on <paramref name="time"/>, then resets.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var set = Volatile.Read(ref _set).Task;
        if (!set.IsCompleted)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(set, Task.Delay(timeout, time, stop.Token));
            await stop.CancelAsync();
        }

        // Reset before the caller looks at its state: a set that lands after this is seen by the next wait, and
        // one that landed before it is covered by the look the caller is about to take.
        Volatile.Write(ref _set, New());
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
