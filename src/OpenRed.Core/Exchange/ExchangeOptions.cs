namespace OpenRed.Core.Exchange;

/// <summary>
/// Every number of peer exchange (section 7 and 11), with the spec's defaults where it gives one; the others are
/// this implementation's choice, written in docs/PROTOCOL.md. Tests shorten the intervals.
/// </summary>
public sealed record ExchangeOptions
{
    public static ExchangeOptions Default { get; } = new();

    /// <summary>Entries in one PeerExchange, sent or accepted (section 11: 50).</summary>
    public int MaxEntries { get; init; } = 50;

    /// <summary>The shortest time between two PeerExchange messages on one session, sent or accepted (section 11: a minute).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How much sooner than <see cref="Interval"/> a second message may arrive before its sender is disconnected:
    /// the sender's timer and the network's queues may bring two messages a little closer than they were sent.
    /// </summary>
    public TimeSpan ReceiveTolerance { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A peer is listed while its last verified session is this recent (section 7: the last hour).</summary>
    public TimeSpan ListedFor { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// A list that has not changed is sent again after this long, so that receivers (which forget an entry an
    /// hour after it was last listed) keep it; a list that changed goes out at the next <see cref="Interval"/>.
    /// </summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How often the sender looks for sessions whose turn has come (new sessions wake it at once).</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A send that the peer's queue does not take within this is given up (the session's own timeouts close it).</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
