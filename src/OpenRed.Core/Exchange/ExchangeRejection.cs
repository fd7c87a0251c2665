namespace OpenRed.Core.Exchange;

/// <summary>Why one entry of a received PeerExchange was ignored (section 7); counted for <c>status</c>.</summary>
public enum ExchangeRejection
{
    /// <summary>The host is not an IPv4 dotted quad or IPv6 text without brackets or zone (a name, say).</summary>
    NotIpLiteral,

    /// <summary>Multicast, broadcast or unspecified.</summary>
    BadAddress,

    /// <summary>A port below 1024 or above 65535.</summary>
    BadPort,

    /// <summary>The address's scope is narrower than the sender's own address (a loopback address from a LAN peer).</summary>
    NarrowerScope,

    /// <summary>The fingerprint is not 32 bytes.</summary>
    BadFingerprint,

    /// <summary>The entry names the receiver or the sender itself.</summary>
    SelfOrSender,

    /// <summary>A node-id or sector that breaks its pattern (section 2).</summary>
    BadLabel,
}
