using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OpenRed.Core.Common;

/// <summary>
/// The one place addresses are normalised and written for people and logs. A dual-mode socket reports IPv4 peers
/// as IPv4-mapped IPv6 (::ffff:a.b.c.d); every limit, key and text form uses the plain IPv4 address instead.
/// </summary>
public static class Endpoints
{
    public static IPAddress Normalize(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    public static IPEndPoint Normalize(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return endpoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port) : endpoint;
    }

    /// <summary><c>10.0.0.2</c> or <c>[fd00::2]</c>: the form that can take a <c>:port</c>.</summary>
    public static string Format(IPAddress address)
    {
        var a = Normalize(address);
        return a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{a}]" : a.ToString();
    }

    /// <summary><c>10.0.0.2:8080</c> or <c>[fd00::2]:8080</c>.</summary>
    public static string Format(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return Format(endpoint.Address) + ":" + endpoint.Port.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A host name or literal with its port; IPv6 literals get brackets.</summary>
    public static string Format(string host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        return IPAddress.TryParse(host, out var literal)
            ? Format(new IPEndPoint(literal, port))
            : host + ":" + port.ToString(CultureInfo.InvariantCulture);
    }
}
