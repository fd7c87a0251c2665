namespace OpenRed.Bench.Infra;

/// <summary>Pins a child to one core where util-linux's taskset exists and the machine has a core to spare.</summary>
internal static class Taskset
{
    public static string? Path { get; } = Find();

    public static bool Available => Path is not null && Environment.ProcessorCount >= 2;

    private static string? Find()
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return dirs.Select(d => System.IO.Path.Combine(d, "taskset")).FirstOrDefault(File.Exists);
    }
}
