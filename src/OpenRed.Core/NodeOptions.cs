using System.Net;
using OpenRed.Core.Identity;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Mesh;
using OpenRed.Core.Peers;
using OpenRed.Core.Phoenix;
using OpenRed.Core.Social;

namespace OpenRed.Core;

/// <summary>
/// Everything a node is started with. Flags set the few that users need; tests and benchmarks set the rest.
/// Subsystems that arrive later add their own options record as one property here (with the spec's defaults).
/// </summary>
public sealed record NodeOptions
{
    public const int DefaultPort = 8080;
    public const int DefaultReplicas = 3;
    public const long DefaultCacheSizeBytes = 1L << 30;
    public const int DefaultMaxPeers = 64;
    public const int DefaultLighthousePort = 7982;
    public static readonly IPAddress DefaultLighthouseGroup = IPAddress.Parse("239.255.79.82");
    public static readonly TimeSpan DefaultBeaconInterval = TimeSpan.FromSeconds(30);

    /// <summary>A human label (section 2); never trusted, never unique.</summary>
    public required string NodeId { get; init; }

    public string Sector { get; init; } = NodeLabels.DefaultSector;

    /// <summary>
    /// True when <see cref="NodeId"/> is only a fallback (the host name): the node-id remembered in the data directory
    /// wins. False (an explicit value) replaces the remembered one.
    /// </summary>
    public bool NodeIdIsFallback { get; init; }

    /// <summary>True when <see cref="Sector"/> is only the default: the sector remembered in the data directory wins.</summary>
    public bool SectorIsFallback { get; init; }

    /// <summary>
    /// Accept creating a new identity although the key file is missing beside an existing database (the node's
    /// fingerprint changes and peers' links to it break). Never replaces an existing key file.
    /// </summary>
    public bool AcceptNewIdentity { get; init; }

    /// <summary>Absolute path of the data directory: key, database, lock, logs, history.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>TCP port to listen on; 0 lets the system choose (see <see cref="NodeStatus.Port"/> for the one in use).</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Address the TCP listener binds; null means every address (IPv6 dual-mode where available, else IPv4).</summary>
    public IPAddress? ListenAddress { get; init; }

    /// <summary>Addresses dialled at start (host names are resolved when dialled).</summary>
    public IReadOnlyList<DnsEndPoint> Bootstrap { get; init; } = [];

    /// <summary>URN names (lowercased, optionally <c>name@fingerprint-prefix</c>) resolved at start.</summary>
    public IReadOnlyList<string> AutoResurrect { get; init; } = [];

    public bool LighthouseEnabled { get; init; } = true;

    public IPAddress LighthouseGroup { get; init; } = DefaultLighthouseGroup;

    public int LighthousePort { get; init; } = DefaultLighthousePort;

    /// <summary>IPv4 address of the interface that carries multicast; null lets the system choose.</summary>
    public IPAddress? LighthouseInterface { get; init; }

    public TimeSpan BeaconInterval { get; init; } = DefaultBeaconInterval;

    public int Replicas { get; init; } = DefaultReplicas;

    public long CacheSizeBytes { get; init; } = DefaultCacheSizeBytes;

    /// <summary>Session limit, inbound and outbound together (section 7).</summary>
    public int MaxPeers { get; init; } = DefaultMaxPeers;

    /// <summary>Peer exchange off: this node says so in its handshake identity (section 7) and is never listed.</summary>
    public bool Unlisted { get; init; }

    /// <summary>
    /// Every other interval and limit of the mesh (section 7 and 11); tests shorten them, benchmarks raise rate
    /// limits. <see cref="MaxPeers"/> overrides its session limit.
    /// </summary>
    public MeshOptions Mesh { get; init; } = MeshOptions.Default;

    /// <summary>
    /// The peer directory and the dial scheduler: target sessions, dial rate, backoff (sections 7 and 11).
    /// <see cref="MaxPeers"/> overrides its session ceiling.
    /// </summary>
    public PeerOptions Peers { get; init; } = PeerOptions.Default;

    /// <summary>Peer exchange's limits and intervals (section 7 and 11); <see cref="Unlisted"/> turns sending off.</summary>
    public Exchange.ExchangeOptions Exchange { get; init; } = OpenRed.Core.Exchange.ExchangeOptions.Default;

    /// <summary>The dial settings in effect: <see cref="Peers"/> with <see cref="MaxPeers"/> applied.</summary>
    public PeerOptions EffectivePeers => Peers with { MaxSessions = MaxPeers };

    /// <summary>
    /// Every other interval and limit of the lighthouse (section 3); the group, port, interface and interval
    /// properties above override its fields of the same meaning.
    /// </summary>
    public LighthouseOptions LighthouseTuning { get; init; } = new();

    /// <summary>The lighthouse settings in effect: <see cref="LighthouseTuning"/> with the flags applied.</summary>
    public LighthouseOptions EffectiveLighthouse => LighthouseTuning with
    {
        Enabled = LighthouseEnabled,
        Group = LighthouseGroup,
        Port = LighthousePort,
        InterfaceAddress = LighthouseInterface,
        Interval = BeaconInterval,
    };

    /// <summary>
    /// Every other interval and limit of the Phoenix URN layer (sections 8 and 11). <see cref="Replicas"/> and
    /// <see cref="CacheSizeBytes"/> override its fields of the same meaning.
    /// </summary>
    public PhoenixOptions Phoenix { get; init; } = PhoenixOptions.Default;

    /// <summary>The Phoenix settings in effect: <see cref="Phoenix"/> with the flags applied.</summary>
    public PhoenixOptions EffectivePhoenix => Phoenix with { Replicas = Replicas, CacheSizeBytes = CacheSizeBytes };

    /// <summary>The mesh settings in effect: <see cref="Mesh"/> with <see cref="MaxPeers"/> applied.</summary>
    public MeshOptions EffectiveMesh => Mesh with { MaxSessions = MaxPeers };

    /// <summary>The social layer's limits and intervals (sections 9 and 11).</summary>
    public SocialOptions Social { get; init; } = SocialOptions.Default;

    /// <summary>How long shutdown waits for subsystems to say goodbye before closing regardless.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
