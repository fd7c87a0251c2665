namespace OpenRed.Core.Peers;

/// <summary>
/// Every number of the peer directory and the dial scheduler, with the spec's defaults (sections 3, 7 and 11)
/// where it gives one. Tests shorten the intervals; benchmarks raise <see cref="DialRate"/>.
/// </summary>
public sealed record PeerOptions
{
    public static PeerOptions Default { get; } = new();

    /// <summary>
    /// Sessions the node tries to hold: bootstrap, link and exchange candidates are dialled only below it.
    /// Lighthouse auto-connects and reconnects do not count against it (the session limit, --max-peers, still does).
    /// </summary>
    public int TargetSessions { get; init; } = 8;

    /// <summary>
    /// The sources whose candidates are dialled to reach <see cref="TargetSessions"/>; null means all. By default
    /// every source but the lighthouse (beacon peers have their own auto-connect rule): --bootstrap addresses, a
    /// person's connects, links of this and earlier runs (the most recently successful first), and peer-exchange
    /// entries of this node's sector.
    /// </summary>
    public IReadOnlySet<PeerSource>? FillSources { get; init; } = new HashSet<PeerSource>
    {
        PeerSource.Bootstrap, PeerSource.Connect, PeerSource.Link, PeerSource.Exchange,
    };

    /// <summary>
    /// The session limit (section 7, --max-peers): at it, nothing is dialled, and sessions plus dials in progress
    /// never pass it. The node sets it from its mesh options.
    /// </summary>
    public int MaxSessions { get; init; } = 64;

    /// <summary>New dials a second for the whole node (section 11: one a second).</summary>
    public double DialRate { get; init; } = 1;

    /// <summary>Dials that may start at once after a quiet spell.</summary>
    public int DialBurst { get; init; } = 1;

    /// <summary>Dials in progress at once; each may take a connect timeout plus a handshake.</summary>
    public int MaxConcurrentDials { get; init; } = 4;

    /// <summary>Delay after the first failed dial to a candidate; it doubles with each further failure.</summary>
    public TimeSpan BackoffMin { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between dials to one candidate.</summary>
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Each delay is scaled by a random factor in [1 − j, 1 + j], so that nodes do not dial in lockstep.</summary>
    public double BackoffJitter { get; init; } = 0.2;

    /// <summary>A session this node dialled that was lost is redialled this long, then left until heard of again.</summary>
    public TimeSpan ReconnectFor { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Dials to a candidate known only from beacons before it must be heard anew (lost and found again).</summary>
    public int BeaconOnlyMaxAttempts { get; init; } = 3;

    /// <summary>A peer-exchange entry lives this long after the last list that named it (section 7: the last hour).</summary>
    public TimeSpan ExchangeTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Session rotation, a node policy (no wire change): at its target, with exchange candidates whose fingerprint no
    /// handshake has proved, or within <see cref="RotateAfterNewsFor"/> of hearing a peer it never heard of, the node
    /// closes its least recently active outbound session (never a friend's, a person's connect or a bootstrap address)
    /// with Goodbye "rotating" this often, so that the fill dials someone else and the lists it exchanges reach
    /// further. Scaled by <see cref="BackoffJitter"/>. Zero turns rotation off. Three seconds: a new session carries a
    /// list at once, while a session's later lists wait a minute, so how fast a name crosses the mesh is set by this
    /// period (measured on the 30-node chain: docs/BENCHMARKS-RESULTS.md); the dial rate (one a second) still bounds it.
    /// </summary>
    public TimeSpan RotateEvery { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long rotation goes on after the node last heard a fingerprint it had never heard of in this run (a list
    /// naming it, or a session from it), even when every candidate has been met: a node cannot know that its peers
    /// hold something new until a list tells it, and a new session is the only way to get a list sooner than a
    /// minute. Without a new candidate, the freed slot goes to the peer met longest ago. A settled mesh hears nothing
    /// new and goes quiet this long after the last newcomer. Zero: rotate only for candidates not met yet.
    /// </summary>
    public TimeSpan RotateAfterNewsFor { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// An exchange candidate not met yet is worth a rotation this long after it was first heard. Later, the lists
    /// its neighbours send once a minute carry its name anyway, and meeting every peer ever listed would make each node
    /// rotate through the whole network (on a large one, for ever). Zero: no limit.
    /// </summary>
    public TimeSpan NewCandidateFor { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A peer rotated out ranks after every other fill candidate this long, so the freed slot goes to a new one.</summary>
    public TimeSpan RotatedOutFor { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Candidates kept; past it the least recently heard candidate without a lasting source is dropped.</summary>
    public int MaxCandidates { get; init; } = 4096;

    /// <summary>Directory changes are written to SQLite in one transaction this often, and on dispose.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The scheduler looks at its candidates at least this often even when nothing wakes it.</summary>
    public TimeSpan IdleRecheck { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long dispose waits for dials in progress to notice their cancellation.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
