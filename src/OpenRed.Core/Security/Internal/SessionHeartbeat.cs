using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace OpenRed.Core.Security.Internal;

/// <summary>
/// One heartbeat for every session of a process that shares a clock and an interval, the way Kestrel checks every
/// connection's timeouts from one timer: each tick walks the sessions and lets each check its own deadlines (body,
/// send, idle, liveness ping, rekey). A session then costs no timer and no loop of its own. The timer runs only
/// while at least one session is registered, so a process with no session has no tick.
/// </summary>
internal sealed class SessionHeartbeat
{
    private static readonly ConditionalWeakTable<TimeProvider, ConcurrentDictionary<TimeSpan, SessionHeartbeat>> ByTime = [];

    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Lock _lock = new();
    private readonly HashSet<IHeartbeatTarget> _targets = [];
    private readonly List<IHeartbeatTarget> _tick = [];
    private ITimer? _timer;
    private int _ticking;

    private SessionHeartbeat(TimeProvider time, TimeSpan interval) => (_time, _interval) = (time, interval);

    /// <summary>Sessions registered (for tests).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _targets.Count;
            }
        }
    }

    public static SessionHeartbeat For(TimeProvider time, TimeSpan interval) =>
        ByTime.GetValue(time, static _ => new()).GetOrAdd(interval, static (i, t) => new SessionHeartbeat(t, i), time);

    public void Add(IHeartbeatTarget target)
    {
        lock (_lock)
        {
            if (_targets.Add(target) && _timer is null)
            {
                _timer = _time.CreateTimer(static s => ((SessionHeartbeat)s!).Tick(), this, _interval, _interval);
            }
        }
    }

    public void Remove(IHeartbeatTarget target)
    {
        lock (_lock)
        {
            if (_targets.Remove(target) && _targets.Count == 0)
            {
                _timer?.Dispose();
                _timer = null;
            }
        }
    }

    private void Tick()
    {
        // A tick still walking the sessions when the next is due: that next one is skipped, not queued.
        if (Interlocked.Exchange(ref _ticking, 1) != 0)
        {
            return;
        }

        try
        {
            lock (_lock)
            {
                _tick.AddRange(_targets);
            }

            var now = _time.GetUtcNow();
            foreach (var target in _tick)
            {
                target.OnHeartbeat(now);
            }
        }
        finally
        {
            _tick.Clear();
            Volatile.Write(ref _ticking, 0);
        }
    }
}

/// <summary>What a <see cref="SessionHeartbeat"/> ticks: it must not block and must not throw.</summary>
internal interface IHeartbeatTarget
{
    void OnHeartbeat(DateTimeOffset now);
}
