using System.Runtime.InteropServices;

namespace OpenRed.Bench.Infra;

/// <summary>What every figure is printed with: the machine it was measured on.</summary>
internal sealed record Machine(int Cores, string Cpu, string Date, string Runtime, bool Taskset, bool InNamespace)
{
    public static Machine Describe() => new(
        Environment.ProcessorCount,
        CpuModel(),
        DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
        $"{RuntimeInformation.FrameworkDescription} {RuntimeInformation.OSArchitecture}",
        Infra.Taskset.Available,
        Environment.GetEnvironmentVariable("OPENRED_IN_NETNS") == "1");

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
