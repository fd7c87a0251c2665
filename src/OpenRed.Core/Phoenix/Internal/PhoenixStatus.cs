using System.Globalization;
using OpenRed.Core.Modules;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>The module's part of <c>status</c>: what it holds, what it served, what it refused, and --auto-resurrect.</summary>
internal static class PhoenixStatus
{
    public static StatusSection Build(Parts p, PhoenixCounters counters, PhoenixOptions options, IReadOnlyList<AutoResurrectState> auto)
    {
        var all = p.Index.All();
        var byRole = Enum.GetValues<UrnRole>().ToDictionary(r => Name(r), r => all.Count(s => s.Role == r));
        var refused = counters.Refused;
        var lines = new List<StatusLine>
        {
            new("urns", Inv($"{all.Count} held ({byRole["published"]} published, {byRole["replica"]} replicas, {byRole["pinned"]} pinned, {byRole["cached"]} cached); ")
                + Inv($"store {Mib(p.Store.Bytes)} of {Mib(options.CacheSizeBytes)}")),
            new("phoenix", Inv($"{counters.QueriesAnswered} queries answered, {counters.ChunksServed} chunks served ({counters.ChunksRegenerated} regenerated), ")
                + Inv($"{p.Replication.OffersSent} replica offers ({p.Replication.AcksStored} stored), replicas {options.Replicas}")),
            new("urn refusals", refused.Count == 0 ? "0"
                : Inv($"{counters.RefusedTotal} (") + string.Join(", ", refused.Select(r => Inv($"{r.Key} {r.Value}"))) + ")"),
        };
        foreach (var a in auto)
        {
            lines.Add(new StatusLine("auto-resurrect", a.Held
                ? Inv($"{a.Urn}: held and pinned ({a.Attempts} attempt(s))")
                : Inv($"{a.Urn}: waiting, {a.Attempts} attempt(s)") + (a.LastError is null ? "" : $"; last: {a.LastError}")));
        }

        return new StatusSection("phoenix", lines, new Dictionary<string, object?>
        {
            ["held_urns"] = all.Count,
            ["by_role"] = byRole,
            ["store_bytes"] = p.Store.Bytes,
            ["cache_size_bytes"] = options.CacheSizeBytes,
            ["replicas"] = options.Replicas,
            ["queries_answered"] = counters.QueriesAnswered,
            ["chunks_served"] = counters.ChunksServed,
            ["chunks_regenerated"] = counters.ChunksRegenerated,
            ["corrupt_chunks_found"] = p.Store.CorruptFound,
            ["chunks_evicted"] = p.Store.Evicted,
            ["replica_offers_sent"] = p.Replication.OffersSent,
            ["replica_acks_stored"] = p.Replication.AcksStored,
            ["replica_repairs"] = p.Replication.Repairs,
            ["refused"] = refused,
            ["refused_total"] = counters.RefusedTotal,
            ["auto_resurrect"] = auto.Select(a => new Dictionary<string, object?>
            {
                ["urn"] = a.Urn,
                ["held"] = a.Held,
                ["attempts"] = a.Attempts,
                ["next_attempt_ms"] = a.NextAttemptAt?.ToUnixTimeMilliseconds(),
                ["last_error"] = a.LastError,
            }).ToList(),
        });
    }

    public static string Name(UrnRole role) => role.ToString().ToLowerInvariant();

    private static string Mib(long bytes) => Inv($"{bytes / 1048576.0:0.0} MiB");

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
