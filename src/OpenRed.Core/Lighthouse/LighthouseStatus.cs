using System.Net;

namespace OpenRed.Core.Lighthouse;

/// <summary>A snapshot of the lighthouse for the CLI.</summary>
/// <param name="Message">Why discovery is off, or the last send error; null when all is well.</param>
/// <param name="Interface">The interface address in use: the one asked for, else the one the group's route uses (null: left to the system).</param>
/// <param name="InterfaceName">The interface the group was joined on, when known.</param>
/// <param name="BeaconsReceived">Beacons of other nodes accepted.</param>
/// <param name="OwnBeaconsSeen">This node's beacons looped back (ignored; shows multicast loopback works).</param>
/// <param name="Dropped">Dropped datagrams by reason; reasons never seen are absent.</param>
public sealed record LighthouseStatus(
    LighthouseState State,
    string? Message,
    IPAddress Group,
    int Port,
    IPAddress? Interface,
    string? InterfaceName,
    long BeaconsSent,
    long SolicitAnswersSent,
    long SendErrors,
    long BeaconsReceived,
    long OwnBeaconsSeen,
    IReadOnlyDictionary<BeaconRejection, long> Dropped)
{
    public long DroppedTotal => Dropped.Values.Sum();
}
