using System.Globalization;

namespace OpenRed.Bench.Infra;

/// <summary>Cheap facts about a process from /proc: peak resident set size and CPU time.</summary>
internal static class ProcInfo
{
    private const double ClockTicksPerSecond = 100; // USER_HZ; the same on every Linux the project runs on.

    /// <summary>VmHWM in KiB, or null where /proc is missing or the process is gone.</summary>
    public static long? PeakRssKiB(int? pid = null)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{(pid is null ? "self" : pid.Value.ToString(CultureInfo.InvariantCulture))}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var digits = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(digits, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>User plus system CPU seconds of a process (10 ms resolution), or null when it cannot be read.</summary>
    public static double? CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            // The command name may contain spaces; the fields after it are space-separated.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var utime = long.Parse(rest[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(rest[12], CultureInfo.InvariantCulture);
            return (utime + stime) / ClockTicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// CPU seconds of the runtime's background JIT (the thread named ".NET Tiered Compilation Worker", which recompiles
    /// hot methods optimized), or null when /proc cannot say. JIT on the calling threads (a method's first compile) is
    /// not in it.
    /// </summary>
    public static double? BackgroundJitCpuSeconds(int pid)
    {
        try
        {
            double total = 0;
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/task"))
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                if (!stat[(open + 1)..close].StartsWith(".NET Tiered", StringComparison.Ordinal))
                {
                    continue;
                }

                var rest = stat[(close + 2)..].Split(' ');
                total += (long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
            }

            return total;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
