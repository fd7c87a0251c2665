using OpenRed.Core.Security;

namespace OpenRed.Core.Mesh;

/// <summary>Every session-slot, admission and dialling limit of sections 7 and 11, with the spec's defaults.</summary>
public sealed record MeshOptions
{
    public static MeshOptions Default { get; } = new();

    /// <summary>Sessions in all, inbound and outbound (--max-peers).</summary>
    public int MaxSessions { get; init; } = 64;

    /// <summary>Share of <see cref="MaxSessions"/> that inbound sessions may fill.</summary>
    public double InboundShare { get; init; } = 0.75;

    /// <summary>Inbound sessions per remote /24 (IPv4) or /56 (IPv6).</summary>
    public int MaxInboundSessionsPerPrefix { get; init; } = 8;

    public int MaxHandshakesInProgress { get; init; } = 64;

    public int MaxHandshakesPerAddress { get; init; } = 4;

    public int MaxHandshakesPerPrefix { get; init; } = 16;

    /// <summary>New inbound connections a second per remote address (token bucket).</summary>
    public double InboundPerAddressRate { get; init; } = 20;

    public int InboundPerAddressBurst { get; init; } = 5;

    /// <summary>New inbound connections a second for the whole node.</summary>
    public double InboundGlobalRate { get; init; } = 200;

    public int InboundGlobalBurst { get; init; } = 200;

    /// <summary>TCP connect timeout of a dial (the handshake has its own 10 s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a Ping may take when a beacon (goodbye, restart, silence) casts doubt on a live session; a session
    /// that does not answer in time is closed, so a vanished host leaves the map in seconds, not at the idle timeout.
    /// </summary>
    public TimeSpan SessionCheckTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long shutdown waits for the Goodbyes of every session together (they are sent in parallel).</summary>
    public TimeSpan ShutdownGoodbyeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public HandshakeOptions Handshake { get; init; } = HandshakeOptions.Default;

    public SessionOptions Session { get; init; } = SessionOptions.Default;

    public int MaxInboundSessions => Math.Max(1, (int)(MaxSessions * InboundShare));
}
