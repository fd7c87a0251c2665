namespace OpenRed.Bench.Infra;

/// <summary>Wall-clock milliseconds since the Unix epoch with sub-millisecond precision, comparable across processes of one machine.</summary>
internal static class WallClock
{
    public static double NowMs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / (double)TimeSpan.TicksPerMillisecond;
}
