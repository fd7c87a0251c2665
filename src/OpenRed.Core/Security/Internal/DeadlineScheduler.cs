using System.Runtime.CompilerServices;

namespace OpenRed.Core.Security.Internal;

/// <summary>
/// Every handshake deadline of a process on one timer per <see cref="TimeProvider"/>: deadlines wait in a queue
/// ordered by due time, and the one timer is set to the earliest. A handshake then costs no timer of its own, and
/// a deadline still fires at its exact time (the handshake deadlines are tested to the millisecond on fake time).
/// Cancelled entries are dropped when they reach the head of the queue.
/// </summary>
internal sealed class DeadlineScheduler
{
    private static readonly ConditionalWeakTable<TimeProvider, DeadlineScheduler> ByTime = [];

    private readonly TimeProvider _time;
    private readonly PriorityQueue<Entry, long> _queue = new();
    private readonly Lock _lock = new();
    private ITimer? _timer;
    private long _armedFor = long.MaxValue;

    private DeadlineScheduler(TimeProvider time) => _time = time;

    /// <summary>Queued entries, cancelled ones included (for tests).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    public static DeadlineScheduler For(TimeProvider time) => ByTime.GetValue(time, static t => new DeadlineScheduler(t));

    /// <summary>Calls <paramref name="fire"/> with <paramref name="state"/> once <paramref name="after"/> has passed, unless cancelled first.</summary>
    public Entry Schedule(TimeSpan after, Action<object?> fire, object? state)
    {
        var due = _time.GetUtcNow().UtcTicks + after.Ticks;
        var entry = new Entry(fire, state);
        lock (_lock)
        {
            _queue.Enqueue(entry, due);
            if (due < _armedFor)
            {
                ArmLocked(due);
            }
        }

        return entry;
    }

    private void ArmLocked(long due)
    {
        _armedFor = due;
        var ticks = Math.Max(0, due - _time.GetUtcNow().UtcTicks);

        // Whole milliseconds, rounded up: a timer never fires before the deadline it was set for.
        var delay = TimeSpan.FromMilliseconds((ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond);
        if (_timer is null)
        {
            _timer = _time.CreateTimer(static s => ((DeadlineScheduler)s!).OnTimer(), this, delay, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        List<Entry>? due = null;
        lock (_lock)
        {
            var now = _time.GetUtcNow().UtcTicks;
            _armedFor = long.MaxValue;
            while (_queue.TryPeek(out var entry, out var at))
            {
                if (entry.IsCancelled)
                {
                    _queue.Dequeue();
                    continue;
                }

                if (at > now)
                {
                    ArmLocked(at);
                    break;
                }

                _queue.Dequeue();
                (due ??= []).Add(entry);
            }
        }

        if (due is not null)
        {
            foreach (var entry in due)
            {
                entry.Fire();
            }
        }
    }

    /// <summary>One scheduled deadline; <see cref="Cancel"/> when it no longer applies.</summary>
    internal sealed class Entry(Action<object?> fire, object? state)
    {
        private int _state;

        public bool IsCancelled => Volatile.Read(ref _state) == 2;

        public void Cancel() => Interlocked.CompareExchange(ref _state, 2, 0);

        public void Fire()
        {
            if (Interlocked.CompareExchange(ref _state, 1, 0) == 0)
            {
                fire(state);
            }
        }
    }
}
