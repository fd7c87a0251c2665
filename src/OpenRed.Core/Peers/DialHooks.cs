using OpenRed.Core.Identity;

namespace OpenRed.Core.Peers;

/// <summary>What the scheduler needs from the node; every delegate must be cheap and thread-safe.</summary>
/// <param name="Self">This node's fingerprint: never dialled, and the lower side of auto-connect (section 3).</param>
/// <param name="Sector">This node's sector: lighthouse candidates of other sectors are never auto-dialled.</param>
/// <param name="Dial">
/// Connects and runs the handshake, expecting <see cref="DialRequest.Expected"/> when given. Returns the peer's
/// fingerprint or a typed failure; it throws only <see cref="OperationCanceledException"/> when its token is cancelled.
/// </param>
/// <param name="IsConnected">True while a session with the fingerprint is up, in either direction.</param>
/// <param name="IsBlocked">True for a fingerprint the user blocked.</param>
/// <param name="SessionCount">Sessions up now, inbound and outbound.</param>
public sealed record DialHooks(
    Fingerprint Self,
    string Sector,
    Func<DialRequest, CancellationToken, Task<DialOutcome>> Dial,
    Func<Fingerprint, bool> IsConnected,
    Func<Fingerprint, bool> IsBlocked,
    Func<int> SessionCount)
{
    /// <summary>True for one of this node's own listen addresses, when the node knows them.</summary>
    public Func<PeerAddress, bool> IsOwnAddress { get; init; } = static _ => false;

    /// <summary>The sessions up now, as session rotation needs them; none by default (no rotation).</summary>
    public Func<IReadOnlyList<SessionView>> Sessions { get; init; } = static () => [];

    /// <summary>Closes the session with the fingerprint with Goodbye "rotating"; runs outside the scheduler's lock.</summary>
    public Action<Fingerprint> Rotate { get; init; } = static _ => { };
}

/// <summary>One session as session rotation sees it.</summary>
/// <param name="Outbound">True when this node dialled it: only those are rotated (the peer chose an inbound one).</param>
/// <param name="Friend">A friend's session is never rotated.</param>
public sealed record SessionView(Fingerprint Peer, bool Outbound, bool Friend, DateTimeOffset LastActivity);
