using System.Net;
using OpenRed.Core.Identity;

namespace OpenRed.Core.Lighthouse;

/// <summary>One entry of the peer map, an immutable snapshot.</summary>
/// <param name="Address">Where to dial: the beacon's source IP and tcp_port, or, once a handshake verified the peer,
/// the address the mesh reported; beacons do not replace a verified address.</param>
/// <param name="BeaconAddress">Source IP and tcp_port of the last beacon.</param>
/// <param name="Interval">The peer's advertised interval_s.</param>
public sealed record LighthousePeer(
    Fingerprint Fingerprint,
    string NodeId,
    string Sector,
    IPEndPoint Address,
    IPEndPoint BeaconAddress,
    ulong Instance,
    ulong Seq,
    TimeSpan Interval,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastHeard,
    LighthousePeerState State)
{
    public string ShortFingerprint => Fingerprint.Short;

    public bool IsVerified => State is LighthousePeerState.Verified or LighthousePeerState.Connected;

    public bool HasSession => State == LighthousePeerState.Connected;

    public TimeSpan HeardAgo(DateTimeOffset now) => now - LastHeard;
}
