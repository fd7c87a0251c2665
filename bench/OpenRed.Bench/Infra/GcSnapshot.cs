using System.Text.Json.Nodes;

namespace OpenRed.Bench.Infra;

/// <summary>Garbage collections and their pause time so far, to tell allocation cost from work in a figure's notes.</summary>
internal readonly record struct GcSnapshot(int Gen0, int Gen1, int Gen2, TimeSpan Paused, long Allocated)
{
    public static GcSnapshot Now() => new(
        GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());

    public JsonObject Since(GcSnapshot before) => new()
    {
        ["gc0"] = Gen0 - before.Gen0,
        ["gc1"] = Gen1 - before.Gen1,
        ["gc2"] = Gen2 - before.Gen2,
        ["gc_pause_ms"] = (Paused - before.Paused).TotalMilliseconds,
        ["allocated_mb"] = (Allocated - before.Allocated) / 1e6,
    };
}
