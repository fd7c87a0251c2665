using OpenRed.Core.Identity;

namespace OpenRed.Core.Mesh;

/// <summary>What a name typed by a person matched.</summary>
public sealed record PeerMatch<T>(IReadOnlyList<T> Matches)
{
    public bool IsUnique => Matches.Count == 1;

    public T Single => Matches[0];
}

/// <summary>
/// Resolves how people name peers (section 2): a node-id, or a fingerprint prefix of at least 8 hex digits.
/// A node-id is not unique, so two peers with the same one are ambiguous and the person must use a prefix.
/// </summary>
public static class PeerNames
{
    public static PeerMatch<T> Resolve<T>(string name, IEnumerable<T> candidates, Func<T, Fingerprint> fingerprint, Func<T, string> nodeId)
    {
        ArgumentNullException.ThrowIfNull(name);
        var list = candidates.ToList();
        var byFingerprint = list.Where(c => fingerprint(c).MatchesPrefix(name)).ToList();
        if (byFingerprint.Count > 0)
        {
            return new PeerMatch<T>(byFingerprint);
        }

        var exact = list.Where(c => string.Equals(nodeId(c), name, StringComparison.Ordinal)).ToList();
        if (exact.Count > 0)
        {
            return new PeerMatch<T>(exact);
        }

        return new PeerMatch<T>(list.Where(c => string.Equals(nodeId(c), name, StringComparison.OrdinalIgnoreCase)).ToList());
    }
}
