using System.Net;
using System.Net.Sockets;

namespace OpenRed.Core.Mesh.Internal;

/// <summary>The address groups the limits of section 7 and 11 count per: /24 or /56, and /16 for dial spreading.</summary>
internal static class AddressPrefix
{
    /// <summary>/24 for IPv4, /56 for IPv6, as text usable as a dictionary key.</summary>
    public static string SlotPrefix(IPAddress address) => Prefix(Common.Endpoints.Normalize(address), 24, 56);

    /// <summary>/16 for IPv4, /32 for IPv6: outbound candidates are spread over these.</summary>
    public static string SpreadPrefix(IPAddress address) => Prefix(Common.Endpoints.Normalize(address), 16, 32);

    private static string Prefix(IPAddress address, int v4Bits, int v6Bits)
    {
        var bytes = address.GetAddressBytes();
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? v4Bits : v6Bits;
        var keep = bits / 8;
        return Convert.ToHexString(bytes, 0, keep) + "/" + bits;
    }
}
