using OpenRed.Core.Identity;

namespace OpenRed.Core.Peers;

/// <summary>One source of a candidate.</summary>
/// <param name="Since">When this source was (re)added after being absent; a lost beacon peer heard again starts anew.</param>
/// <param name="LastHeard">Last time this source named the candidate.</param>
/// <param name="ExpiresAt">Null while the source lasts until it is reported lost (or forever).</param>
/// <param name="Sender">For <see cref="PeerSource.Exchange"/>, the peer whose list named the candidate.</param>
public sealed record PeerSourceEntry(
    PeerSource Source,
    DateTimeOffset Since,
    DateTimeOffset LastHeard,
    DateTimeOffset? ExpiresAt,
    Fingerprint? Sender)
{
    public bool IsLive(DateTimeOffset now) => ExpiresAt is not { } at || now < at;
}
