using System.Collections.Immutable;
using OpenRed.Core.Identity;

namespace OpenRed.Core.Peers;

/// <summary>One address the node may dial, with what every source said about it. Immutable: a change is a new record.</summary>
/// <param name="Expected">The fingerprint a dial must find there; null for a bootstrap address not yet dialled.</param>
/// <param name="Verified">True when a handshake at this address proved <paramref name="Expected"/>.</param>
/// <param name="LastFailureReason">Why the last dial failed, when one did.</param>
/// <param name="ConsecutiveFailures">Failed dials since the last success: the exponent of the backoff.</param>
public sealed record PeerCandidate(
    PeerAddress Address,
    Fingerprint? Expected,
    bool Verified,
    ImmutableArray<PeerSourceEntry> Sources,
    DateTimeOffset FirstHeard,
    DateTimeOffset LastHeard,
    DateTimeOffset? LastSuccess,
    DateTimeOffset? LastFailure,
    DialFailure? LastFailureReason,
    int ConsecutiveFailures,
    string? Sector,
    string? NodeId)
{
    /// <summary>The sources that have not expired at <paramref name="now"/>.</summary>
    public IEnumerable<PeerSourceEntry> LiveSources(DateTimeOffset now) => Sources.Where(s => s.IsLive(now));

    public bool HasLiveSource(DateTimeOffset now) => Sources.Any(s => s.IsLive(now));

    public bool Has(PeerSource source, DateTimeOffset now) => Sources.Any(s => s.Source == source && s.IsLive(now));

    /// <summary>True when a beacon is the only live source: such a candidate gets a few attempts at most.</summary>
    public bool IsBeaconOnly(DateTimeOffset now) =>
        Has(PeerSource.Lighthouse, now) && LiveSources(now).All(s => s.Source == PeerSource.Lighthouse);

    /// <summary>The most recent peer-exchange sender that listed this candidate, if any.</summary>
    public Fingerprint? Sender(DateTimeOffset now) =>
        LiveSources(now).Where(s => s.Source == PeerSource.Exchange).Select(s => s.Sender).FirstOrDefault();

    public PeerSourceEntry? Find(PeerSource source) => Sources.FirstOrDefault(s => s.Source == source);
}
