using OpenRed.Core.Identity;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Modules;

namespace OpenRed.Core;

/// <summary>A snapshot for the <c>status</c> command and for tests. Counts stay 0 until their subsystem fills them.</summary>
public sealed record NodeStatus
{
    public required string NodeId { get; init; }

    public required Fingerprint Fingerprint { get; init; }

    public required string Sector { get; init; }

    /// <summary>The TCP port in use (the system's choice when started with port 0).</summary>
    public required int Port { get; init; }

    public required string ListenAddress { get; init; }

    public required string DataDirectory { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required TimeSpan Uptime { get; init; }

    public required bool LighthouseEnabled { get; init; }

    /// <summary>Verified sessions open now.</summary>
    public int Sessions { get; init; }

    /// <summary>Peers known (discovered or verified).</summary>
    public int Peers { get; init; }

    /// <summary>Rows of the links table: peers ever verified.</summary>
    public int Links { get; init; }

    /// <summary>Lighthouse state and counters; state Disabled with --no-lighthouse.</summary>
    public LighthouseStatus? Lighthouse { get; init; }

    public long HandshakesCompleted { get; init; }

    public long HandshakesFailed { get; init; }

    /// <summary>Inbound connections closed before any cryptography (rate and in-progress limits).</summary>
    public long ConnectionsRefused { get; init; }

    /// <summary><see cref="ConnectionsRefused"/> by the limit that applied.</summary>
    public IReadOnlyDictionary<string, long> ConnectionsRefusedBy { get; init; } = new Dictionary<string, long>();

    /// <summary>Verified sessions not kept for lack of a slot.</summary>
    public long SessionsRefused { get; init; }

    public IReadOnlyDictionary<string, long> SessionsRefusedBy { get; init; } = new Dictionary<string, long>();

    /// <summary>Sessions closed because the peer broke the protocol.</summary>
    public long ProtocolViolations { get; init; }

    /// <summary>Each module's part of the status, in start order.</summary>
    public IReadOnlyList<StatusSection> Sections { get; init; } = [];
}
