namespace OpenRed.Core.Peers;

/// <summary>
/// How the node learned a candidate address. A candidate may have several at once; each has its own expiry
/// (see <see cref="PeerSourceEntry.ExpiresAt"/>). Stored by name, so the order here may change.
/// </summary>
public enum PeerSource
{
    /// <summary>A beacon on the LAN (section 3). Lives until the node reports the beacon peer lost.</summary>
    Lighthouse,

    /// <summary>A <c>--bootstrap host:port</c> address. Never expires.</summary>
    Bootstrap,

    /// <summary>A person's <c>connect</c>. Never expires.</summary>
    Connect,

    /// <summary>A verified peer from the links table (a handshake proved its fingerprint). Never expires.</summary>
    Link,

    /// <summary>An entry of a peer's <c>PeerExchange</c> (section 7); expires <see cref="PeerOptions.ExchangeTtl"/> after last listed.</summary>
    Exchange,
}
