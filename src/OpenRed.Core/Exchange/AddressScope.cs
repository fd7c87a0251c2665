namespace OpenRed.Core.Exchange;

/// <summary>How far an address reaches, narrowest first; an entry narrower than its sender's address is ignored (section 7).</summary>
public enum AddressScope
{
    /// <summary>127.0.0.0/8, ::1: this host only.</summary>
    Loopback,

    /// <summary>169.254.0.0/16, fe80::/10: one link.</summary>
    LinkLocal,

    /// <summary>10/8, 172.16/12, 192.168/16, 100.64/10 (shared), fc00::/7, fec0::/10: one site or provider.</summary>
    Private,

    /// <summary>Everything else.</summary>
    Global,
}
