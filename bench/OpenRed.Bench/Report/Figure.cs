namespace OpenRed.Bench.Report;

/// <summary>
/// One measured figure. <see cref="Target"/> is the goal as text and <see cref="Met"/> whether this run
/// reached it (null for figures printed for information). A ratio figure carries the reference measured in the same run.
/// </summary>
internal sealed record Figure(string Name, double Value, string Unit)
{
    public string? Target { get; init; }

    public bool? Met { get; init; }

    /// <summary>What the value is compared with, e.g. "plain TCP, 256 KiB writes".</summary>
    public string? Reference { get; init; }

    public double? ReferenceValue { get; init; }

    public string? ReferenceUnit { get; init; }

    /// <summary>Value divided by the reference value.</summary>
    public double? Ratio { get; init; }

    /// <summary>Peak resident set size (VmHWM) of the process or processes the figure measured, in KiB.</summary>
    public long? PeakRssKiB { get; init; }

    /// <summary>How it was measured, CPU use of the processes, anything that helps read it.</summary>
    public string? Note { get; init; }
}
