using System.Collections.Immutable;

namespace OpenRed.Core.Peers;

/// <summary>The scheduler's counters and queues at one moment, for <c>status</c>.</summary>
/// <param name="Started">Dials started since the node started.</param>
/// <param name="Cancelled">Dials cancelled because their candidate expired, was forgotten or blocked, or the node stopped.</param>
/// <param name="InFlight">Dials in progress now.</param>
/// <param name="Due">Candidates wanted and out of backoff at the last pass, not yet dialled: the queue length.</param>
/// <param name="Reconnecting">Peers this node is redialling after a lost session.</param>
/// <param name="Quiet">Peers that left deliberately: not auto-dialled until heard anew.</param>
/// <param name="CandidatesBySource">Live candidates per source in the directory.</param>
public sealed record DialSchedulerStatus(
    long Started,
    long Succeeded,
    long Failed,
    long Cancelled,
    ImmutableDictionary<DialSkipReason, long> Skipped,
    int InFlight,
    int Due,
    int Reconnecting,
    int Quiet,
    ImmutableDictionary<PeerSource, int> CandidatesBySource)
{
    /// <summary>Sessions closed by session rotation since the node started.</summary>
    public long Rotations { get; init; }

    /// <summary>Exchange candidates no handshake has proved yet, due at the last pass: what rotation would meet.</summary>
    public int NewCandidates { get; init; }
}
