using System.Net;
using Google.Protobuf;
using OpenRed.Core.Identity;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Exchange.Internal;

/// <summary>What the sender remembers of one session: when it last sent, and what.</summary>
internal sealed class SendState
{
    public DateTimeOffset? LastSentAt { get; set; }

    /// <summary>The entries of the last message, as a comparable key.</summary>
    public string LastKey { get; set; } = "";

    public bool Sending { get; set; }
}

/// <summary>
/// When and what to send, as pure functions (section 7): a first list as soon as there is something to list, then
/// at most one per <see cref="ExchangeOptions.Interval"/>, only when it changed or to refresh it.
/// </summary>
internal static class SendSchedule
{
    /// <summary>
    /// The entries for <paramref name="receiver"/>: never itself, never an address narrower than the one it reached
    /// us from (it would ignore it), at most <paramref name="max"/>, the most recently seen first.
    /// </summary>
    public static List<RecentPeer> EntriesFor(IReadOnlyList<RecentPeer> listable, Fingerprint receiver, IPAddress receiverAddress, int max)
    {
        var scope = PeerExchangeRules.Scope(receiverAddress);
        return [.. listable.Where(p => p.Fingerprint != receiver && PeerExchangeRules.Scope(p.DialAddress.Address) >= scope).Take(max)];
    }

    /// <summary>A key equal for two lists of the same peers at the same addresses.</summary>
    public static string Key(IEnumerable<RecentPeer> entries) =>
        string.Join(";", entries.Select(p => $"{p.Fingerprint.Hex}@{p.DialAddress}").Order(StringComparer.Ordinal));

    public static bool Due(SendState state, string key, bool empty, DateTimeOffset now, ExchangeOptions options)
    {
        if (state.Sending || empty)
        {
            return false;
        }

        if (state.LastSentAt is not { } last)
        {
            return true;
        }

        var since = now - last;
        return since >= options.Interval && (key != state.LastKey || since >= options.RefreshInterval);
    }

    public static Envelope Message(IEnumerable<RecentPeer> entries) => new()
    {
        PeerExchange = new PeerExchange
        {
            Peers =
            {
                entries.Select(p => new PeerInfo
                {
                    Fingerprint = ByteString.CopyFrom(p.Fingerprint.Bytes),
                    NodeId = p.NodeId,
                    Sector = p.Sector,
                    Host = Common.Endpoints.Normalize(p.DialAddress.Address).ToString(),
                    Port = (uint)p.DialAddress.Port,
                    LastSeenMs = (ulong)Math.Max(0, p.LastSeen.ToUnixTimeMilliseconds()),
                }),
            },
        },
    };
}
