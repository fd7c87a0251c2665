using System.Net;
using System.Net.Sockets;

namespace OpenRed.Core.Lighthouse;

/// <summary>Every interval and limit of the lighthouse (sections 3 and 11), defaults from the spec.</summary>
public sealed record LighthouseOptions
{
    public static readonly IPAddress DefaultGroup = IPAddress.Parse("239.255.79.82");
    public const int DefaultPort = 7982;

    public bool Enabled { get; init; } = true;
    public IPAddress Group { get; init; } = DefaultGroup;
    public int Port { get; init; } = DefaultPort;

    /// <summary>IPv4 address of the interface to send and join on; null lets the system choose by route.</summary>
    public IPAddress? InterfaceAddress { get; init; }

    public int Ttl { get; init; } = 1;

    /// <summary>Steady beacon interval (--beacon-interval). Sent rounded up to whole seconds as interval_s.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Relative jitter of the steady interval: 0.1 is ±10 %.</summary>
    public double Jitter { get; init; } = 0.1;

    /// <summary>Offsets from start of the solicit beacons.</summary>
    public IReadOnlyList<TimeSpan> StartBurst { get; init; } =
        [TimeSpan.Zero, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6)];

    public TimeSpan SolicitAnswerMaxDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Answers to solicits a second, in total (token bucket); one pending answer serves every solicit before it.</summary>
    public double SolicitAnswerRate { get; init; } = 4;

    public double SolicitAnswerBurst { get; init; } = 4;

    /// <summary>A peer expires when its last beacon is older than this many of its own interval_s.</summary>
    public int ExpiryFactor { get; init; } = 3;

    /// <summary>How often the service sweeps the map for expired peers.</summary>
    public TimeSpan ExpirySweep { get; init; } = TimeSpan.FromSeconds(1);

    public int MaxDatagram { get; init; } = BeaconCodec.DefaultMaxDatagram;
    public double PerSourceRate { get; init; } = 200;
    public double GlobalRate { get; init; } = 2000;

    /// <summary>Distinct sources tracked for the per-source budget; idle ones are forgotten first.</summary>
    public int MaxTrackedSources { get; init; } = 16384;

    public int MaxPeers { get; init; } = 4096;
    public int MaxPeersPerSlash24 { get; init; } = 256;

    /// <summary>The interval_s value this node advertises.</summary>
    public uint IntervalSeconds =>
        (uint)Math.Clamp(Math.Ceiling(Interval.TotalSeconds), BeaconCodec.MinIntervalSeconds, BeaconCodec.MaxIntervalSeconds);

    /// <summary>Throws <see cref="ArgumentException"/> on settings the lighthouse cannot run with.</summary>
    public void Validate()
    {
        Require(Group.AddressFamily == AddressFamily.InterNetwork && (Group.GetAddressBytes()[0] & 0xF0) == 0xE0,
            "Group must be an IPv4 multicast address");
        Require(Port is > 0 and <= ushort.MaxValue, "Port must be 1..65535");
        Require(InterfaceAddress is null || InterfaceAddress.AddressFamily == AddressFamily.InterNetwork,
            "InterfaceAddress must be IPv4");
        Require(Ttl is >= 0 and <= 255, "Ttl must be 0..255");
        Require(Interval > TimeSpan.Zero && Interval <= TimeSpan.FromSeconds(BeaconCodec.MaxIntervalSeconds),
            "Interval must be within (0, 3600 s]");
        Require(Jitter is >= 0 and < 1, "Jitter must be within [0, 1)");
        Require(StartBurst.All(t => t >= TimeSpan.Zero) && StartBurst.Zip(StartBurst.Skip(1)).All(p => p.First <= p.Second),
            "StartBurst must be ascending offsets >= 0");
        Require(SolicitAnswerMaxDelay >= TimeSpan.Zero, "SolicitAnswerMaxDelay must be >= 0");
        Require(SolicitAnswerRate > 0 && SolicitAnswerBurst >= 1, "SolicitAnswerRate must be > 0 and SolicitAnswerBurst >= 1");
        Require(ExpiryFactor >= 1, "ExpiryFactor must be >= 1");
        Require(ExpirySweep > TimeSpan.Zero, "ExpirySweep must be > 0");
        Require(MaxDatagram >= BeaconCodec.HeaderLength, "MaxDatagram is too small");
        Require(PerSourceRate > 0 && GlobalRate > 0 && MaxTrackedSources > 0, "rates must be > 0");
        Require(MaxPeers > 0 && MaxPeersPerSlash24 > 0, "peer limits must be > 0");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
