using System.Collections.Immutable;

namespace OpenRed.Core.Peers;

/// <summary>The directory at one moment, for <c>map</c> and <c>status</c>.</summary>
/// <param name="Candidates">Every candidate, live or not, most recently heard first.</param>
/// <param name="LiveBySource">How many candidates each source names at <paramref name="At"/>.</param>
public sealed record PeerDirectorySnapshot(
    DateTimeOffset At,
    ImmutableArray<PeerCandidate> Candidates,
    ImmutableDictionary<PeerSource, int> LiveBySource)
{
    public IEnumerable<PeerCandidate> BySource(PeerSource source) => Candidates.Where(c => c.Has(source, At));
}
