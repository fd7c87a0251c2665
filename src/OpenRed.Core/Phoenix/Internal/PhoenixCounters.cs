using System.Collections.Concurrent;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>What the module refused, by kind (snake_case, as <c>status --json</c> shows them), and a few totals.</summary>
internal sealed class PhoenixCounters
{
    private readonly ConcurrentDictionary<string, long> _refused = new(StringComparer.Ordinal);
    private long _queriesAnswered;
    private long _chunksServed;
    private long _chunksRegenerated;

    public long QueriesAnswered => Interlocked.Read(ref _queriesAnswered);

    public long ChunksServed => Interlocked.Read(ref _chunksServed);

    public long ChunksRegenerated => Interlocked.Read(ref _chunksRegenerated);

    public IReadOnlyDictionary<string, long> Refused => new SortedDictionary<string, long>(_refused, StringComparer.Ordinal);

    public long RefusedTotal => _refused.Values.Sum();

    public void Refuse(string kind) => _refused.AddOrUpdate(kind, 1, static (_, n) => n + 1);

    public void Refuse(RecordProblem problem) => Refuse("record_" + System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(problem.ToString()));

    public void QueryAnswered() => Interlocked.Increment(ref _queriesAnswered);

    public void ChunkServed() => Interlocked.Increment(ref _chunksServed);

    public void ChunkRegenerated() => Interlocked.Increment(ref _chunksRegenerated);
}

/// <summary>The kinds of refusal counted in <see cref="PhoenixCounters"/>.</summary>
internal static class Refusal
{
    public const string RateLimited = "rate_limited";
    public const string TooManyOpen = "too_many_open_queries";
    public const string TooManyHops = "too_many_hops";
    public const string BadQuery = "bad_query";
    public const string TooManyFound = "too_many_found";
    public const string UnrelatedFound = "unrelated_found";
    public const string StaleVersion = "stale_version";
    public const string BadChunk = "bad_chunk";
    public const string CorruptChunk = "corrupt_chunk_on_disk";
    public const string BadChunkRequest = "bad_chunk_request";
    public const string ReplicaQuota = "replica_quota";
    public const string ReplicaNotHolder = "replica_offer_not_from_holder";
}
