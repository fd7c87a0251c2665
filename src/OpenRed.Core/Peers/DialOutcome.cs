using OpenRed.Core.Identity;

namespace OpenRed.Core.Peers;

/// <summary>What came of a dial: a session with <see cref="Peer"/>, or a <see cref="Failure"/>.</summary>
public sealed record DialOutcome
{
    private DialOutcome(Fingerprint? peer, DialFailure? failure)
    {
        Peer = peer;
        Failure = failure;
    }

    public Fingerprint? Peer { get; }

    public DialFailure? Failure { get; }

    public bool Succeeded => Peer is not null;

    /// <summary>A session is up (or was already up) with <paramref name="peer"/>.</summary>
    public static DialOutcome Connected(Fingerprint peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return new DialOutcome(peer, null);
    }

    public static DialOutcome Failed(DialFailure failure) => new(null, failure);
}
