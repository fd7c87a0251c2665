using OpenRed.Core.Identity;

namespace OpenRed.Core.Peers.Internal;

/// <summary>A due candidate with what ranking needs.</summary>
/// <param name="Senders">Distinct peers whose lists named it (this run): a peer many vouch for is likelier to answer.</param>
/// <param name="New">Worth a session rotation (<see cref="SessionRotation.IsNew"/>).</param>
/// <param name="RotatedOut">A peer this node rotated out a short while ago: its slot was freed for someone new.</param>
/// <param name="LastMet">When this node's last session with the peer started or ended (within the hour); null if never.</param>
internal sealed record DueCandidate(
    PeerCandidate Candidate, DialVerdict Verdict, Fingerprint? Sender, int Senders = 0, bool New = false, bool RotatedOut = false,
    DateTimeOffset? LastMet = null)
{
    public string Group => Candidate.Address.SpreadGroup;
}

/// <summary>
/// The order in which due candidates are dialled: reconnects, then auto-connects, then the rest; within each, the
/// most recently successful, then by source (connect, link, bootstrap, exchange), then named by the most senders, then
/// the most recently heard. Right after a session rotation, new candidates come first, then the peers met longest ago
/// (never met first: their lists are the likeliest to hold what this node lacks); peers rotated out come last.
/// That order is then spread: one candidate per /16 in each round, and never a third in a row from one sender.
/// </summary>
internal static class DialRanking
{
    /// <param name="newFirst">True after a rotation freed a slot: it goes to a new candidate.</param>
    public static List<DueCandidate> Order(IEnumerable<DueCandidate> due, DateTimeOffset now, bool newFirst = false) =>
    [
        .. due
            .OrderBy(d => d.Verdict)
            .ThenBy(d => newFirst && d.New ? 0 : 1)
            .ThenBy(d => d.RotatedOut)
            .ThenBy(d => newFirst ? d.LastMet ?? DateTimeOffset.MinValue : DateTimeOffset.MinValue)
            .ThenByDescending(d => d.Candidate.LastSuccess ?? DateTimeOffset.MinValue)
            .ThenBy(d => SourceRank(d.Candidate, now))
            .ThenByDescending(d => d.Senders)
            .ThenByDescending(d => d.Candidate.LastHeard),
    ];

    /// <summary>
    /// Takes up to <paramref name="take"/> candidates from <paramref name="ordered"/> in dial order.
    /// <paramref name="busyGroups"/> (the /16s of dials in progress) count as already used in the first round.
    /// </summary>
    public static List<DueCandidate> Spread(IReadOnlyList<DueCandidate> ordered, int take, IEnumerable<string> busyGroups)
    {
        var remaining = ordered.ToList();
        var used = new HashSet<string>(busyGroups, StringComparer.Ordinal);
        var picked = new List<DueCandidate>();
        while (picked.Count < take && remaining.Count > 0)
        {
            var i = remaining.FindIndex(d => !used.Contains(d.Group) && SenderAllowed(picked, d));
            if (i < 0 && used.Count > 0)
            {
                // Every /16 had its turn: a new round.
                used.Clear();
                i = remaining.FindIndex(d => SenderAllowed(picked, d));
            }

            // Only one sender's entries are left: better to dial them than nothing.
            i = Math.Max(i, 0);
            var d = remaining[i];
            remaining.RemoveAt(i);
            used.Add(d.Group);
            picked.Add(d);
        }

        return picked;
    }

    private static bool SenderAllowed(List<DueCandidate> picked, DueCandidate next) =>
        next.Sender is not { } sender
        || picked.Count < 2
        || picked[^1].Sender != sender
        || picked[^2].Sender != sender;

    private static int SourceRank(PeerCandidate c, DateTimeOffset now) =>
        c.LiveSources(now).Select(s => s.Source switch
        {
            PeerSource.Connect => 0,
            PeerSource.Link => 1,
            PeerSource.Bootstrap => 2,
            PeerSource.Lighthouse => 3,
            _ => 4,
        }).DefaultIfEmpty(5).Min();
}
