namespace OpenRed.Core.Common;

/// <summary>
/// The background tasks one owner started and must wait for when it stops. Nothing is fire-and-forget: every task
/// started here is tracked until it ends, its failure observed, and <see cref="WaitAsync"/> gives up after a bound
/// so a stuck peer cannot hold shutdown.
/// </summary>
internal sealed class TaskGroup
{
    private readonly HashSet<Task> _tasks = [];
    private readonly Lock _lock = new();
    private readonly Action<Exception>? _onFault;

    public TaskGroup(Action<Exception>? onFault = null) => _onFault = onFault;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _tasks.Count;
            }
        }
    }

    /// <summary>Tracks <paramref name="task"/> until it ends; a fault is reported once, never rethrown.</summary>
    public Task Track(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        lock (_lock)
        {
            _tasks.Add(task);
        }

        _ = task.ContinueWith(
            static (t, state) => ((TaskGroup)state!).Ended(t),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return task;
    }

    /// <summary>Starts <paramref name="work"/> off the caller's thread and tracks it.</summary>
    public Task Run(Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Track(Task.Run(work));
    }

    /// <summary>Waits for every tracked task, at most <paramref name="timeout"/>; never throws.</summary>
    public Task WaitAsync(TimeSpan timeout)
    {
        Task[] tasks;
        lock (_lock)
        {
            tasks = [.. _tasks];
        }

        return WaitQuietlyAsync(tasks, timeout);
    }

    /// <summary>Waits for <paramref name="tasks"/>, at most <paramref name="timeout"/>; faults and the timeout are swallowed.</summary>
    public static async Task WaitQuietlyAsync(IEnumerable<Task> tasks, TimeSpan timeout)
    {
        var all = Task.WhenAll(tasks);
        try
        {
            await all.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException || all.IsFaulted || all.IsCanceled)
        {
            // By the exception itself: the tasks may complete between the timeout and this filter (seen with a zero
            // timeout on a loaded machine), and the timeout must still be swallowed.
            // The owner is stopping: a task that failed or overran has nothing left to tell it.
        }
    }

    private void Ended(Task task)
    {
        lock (_lock)
        {
            _tasks.Remove(task);
        }

        if (task.IsFaulted && _onFault is { } report)
        {
            report(task.Exception!.GetBaseException());
        }
    }
}
