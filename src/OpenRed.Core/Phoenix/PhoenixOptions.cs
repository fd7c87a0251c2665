namespace OpenRed.Core.Phoenix;

/// <summary>Every interval and limit of the Phoenix URN layer (sections 8 and 11), with the spec's defaults.</summary>
public sealed record PhoenixOptions
{
    public static PhoenixOptions Default { get; } = new();

    /// <summary>Peers a published URN is offered to (--replicas; R of section 8).</summary>
    public int Replicas { get; init; } = 3;

    /// <summary>Space for chunks on disk (--cache-size); unpinned chunks are evicted least recently used beyond it.</summary>
    public long CacheSizeBytes { get; init; } = 1L << 30;

    /// <summary>Share of <see cref="CacheSizeBytes"/> that replicas of other nodes' URNs may fill in all.</summary>
    public double ReplicaShareOfCache { get; init; } = 0.5;

    /// <summary>Replica bytes accepted from one publisher.</summary>
    public long ReplicaBytesPerPublisher { get; init; } = 256L << 20;

    /// <summary>Hops of a query this node starts.</summary>
    public uint DefaultHops { get; init; } = 2;

    /// <summary>Queries with more hops are dropped.</summary>
    public uint MaxHops { get; init; } = 3;

    /// <summary>The unit of the query deadlines: an asker waits <c>HopTime × (hops + 2)</c>, a forwarder <c>HopTime × (hops + 1)</c>.</summary>
    public TimeSpan HopTime { get; init; } = TimeSpan.FromMilliseconds(600);

    /// <summary>A query id seen within this long is answered from the store only.</summary>
    public TimeSpan QueryIdMemory { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Not in the spec: query ids remembered at most (the oldest is forgotten first).</summary>
    public int MaxRememberedQueryIds { get; init; } = 8192;

    /// <summary>Queries accepted per session and second (token bucket).</summary>
    public double QueriesPerSecond { get; init; } = 5;

    public int QueryBurst { get; init; } = 10;

    /// <summary>Queries of one session being answered at once.</summary>
    public int MaxOpenQueriesPerSession { get; init; } = 16;

    /// <summary>UrnFound messages for one query, sent or accepted.</summary>
    public int MaxFoundPerQuery { get; init; } = 8;

    /// <summary>Holders listed in one UrnFound.</summary>
    public int MaxHoldersPerAnswer { get; init; } = 16;

    /// <summary>Chunk requests a fetcher keeps outstanding per holder.</summary>
    public int RequestsPerHolder { get; init; } = 8;

    /// <summary>Not in the spec: a chunk request without an answer in this long fails at that holder.</summary>
    public TimeSpan ChunkRequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long <c>resurrect</c> waits by default (the spec's target: a record within 5 s).</summary>
    public TimeSpan ResolveTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often each holder counts the live holders of what it holds.</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Not in the spec: how long <c>publish</c> waits for the replicas' acknowledgements before it reports.</summary>
    public TimeSpan ReplicationWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Not in the spec: first retry of --auto-resurrect; it doubles up to <see cref="AutoResurrectMaxDelay"/>.</summary>
    public TimeSpan AutoResurrectFirstDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan AutoResurrectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Replicas, 0, nameof(Replicas));
        ArgumentOutOfRangeException.ThrowIfLessThan(CacheSizeBytes, 1, nameof(CacheSizeBytes));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxHops, 3u, nameof(MaxHops));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(DefaultHops, MaxHops, nameof(DefaultHops));
        ArgumentOutOfRangeException.ThrowIfLessThan(RequestsPerHolder, 1, nameof(RequestsPerHolder));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFoundPerQuery, 1, nameof(MaxFoundPerQuery));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOpenQueriesPerSession, 1, nameof(MaxOpenQueriesPerSession));
    }
}
