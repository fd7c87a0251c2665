using OpenRed.Core.Identity;

namespace OpenRed.Core.Peers.Internal;

/// <summary>What the policy needs to know about one candidate beyond the candidate itself.</summary>
internal readonly record struct PolicyInput(
    Fingerprint Self,
    string Sector,
    DateTimeOffset Now,
    bool IsOwnAddress,
    bool Blocked,
    bool Connected,
    bool Quiet,
    bool Reconnecting,
    int BeaconAttempts,
    int BeaconMaxAttempts,
    IReadOnlySet<PeerSource>? FillSources = null);

/// <summary>
/// Which candidates are wanted, as one pure function. Backoff, the dial rate, dials in flight and the target
/// number of sessions are the scheduler's part; this decides only whether, and why, a candidate is worth a dial.
/// </summary>
internal static class DialPolicy
{
    public static bool IsWanted(this DialVerdict verdict) => verdict >= DialVerdict.Reconnect;

    public static DialVerdict Evaluate(PeerCandidate c, in PolicyInput x)
    {
        if (x.IsOwnAddress || c.Expected == x.Self)
        {
            return DialVerdict.Self;
        }

        if (x.Blocked)
        {
            return DialVerdict.Blocked;
        }

        // Checked before the reconnect rule: a lost peer is redialled only while some source still names it
        // (the node keeps a Link source for verified peers), never past a beacon-only peer's expiry.
        if (!c.HasLiveSource(x.Now))
        {
            return DialVerdict.NoLiveSource;
        }

        if (x.Connected)
        {
            return DialVerdict.Connected;
        }

        if (x.Quiet)
        {
            return DialVerdict.Quiet;
        }

        if (x.Reconnecting)
        {
            return DialVerdict.Reconnect;
        }

        if (c.Has(PeerSource.Lighthouse, x.Now) && c.Sector == x.Sector && c.Expected is { } peer && x.Self < peer)
        {
            return c.IsBeaconOnly(x.Now) && x.BeaconAttempts >= x.BeaconMaxAttempts
                ? DialVerdict.BeaconAttemptsUsed
                : DialVerdict.AutoConnect;
        }

        if (c.IsBeaconOnly(x.Now))
        {
            return DialVerdict.NotOurs;
        }

        // A list from another peer is a hint, not a request: its entries of another sector are shown, never dialled
        // (the lighthouse's rule for beacons, section 3). An entry that gave no sector may be ours.
        if (c.LiveSources(x.Now).All(s => s.Source == PeerSource.Exchange) && c.Sector is { } sector && sector != x.Sector)
        {
            return DialVerdict.NotOurs;
        }

        var fill = x.FillSources;
        return fill is null || c.LiveSources(x.Now).Any(s => fill.Contains(s.Source)) ? DialVerdict.FillTarget : DialVerdict.NotOurs;
    }
}
