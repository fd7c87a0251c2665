using System.Buffers.Binary;
using System.Security.Cryptography;
using OpenRed.Core.Identity;

namespace OpenRed.Core.Lighthouse;

/// <summary>What this node announces: labels, fingerprint, the TCP port it actually listens on, and its instance.</summary>
public sealed record LighthouseLocalInfo
{
    public LighthouseLocalInfo(string nodeId, Fingerprint fingerprint, string sector, int tcpPort, ulong instance)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        if (!NodeLabels.IsValidNodeId(nodeId))
        {
            throw new ArgumentException($"invalid node-id '{nodeId}'", nameof(nodeId));
        }

        if (!NodeLabels.IsValidSector(sector))
        {
            throw new ArgumentException($"invalid sector '{sector}'", nameof(sector));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(tcpPort, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tcpPort, ushort.MaxValue);
        NodeId = nodeId;
        Fingerprint = fingerprint;
        Sector = sector;
        TcpPort = tcpPort;
        Instance = instance;
    }

    public string NodeId { get; }
    public Fingerprint Fingerprint { get; }
    public string Sector { get; }
    public int TcpPort { get; }

    /// <summary>Random per process start, so peers can tell a restart from a refresh.</summary>
    public ulong Instance { get; }

    public static ulong NewInstance()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }
}
