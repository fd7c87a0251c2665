using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OpenRed.Core.Mesh.Internal;

namespace OpenRed.Core.Peers;

/// <summary>
/// A dial address and the key of a candidate: an IP literal in canonical form (IPv4-mapped IPv6 as IPv4) or a
/// lowercase host name, and a port.
/// </summary>
public sealed record PeerAddress
{
    private PeerAddress(string host, int port, IPAddress? ip)
    {
        Host = host;
        Port = port;
        Ip = ip;
    }

    public string Host { get; }

    public int Port { get; }

    /// <summary>The address when <see cref="Host"/> is an IP literal; null for a host name.</summary>
    public IPAddress? Ip { get; }

    /// <summary>The /16 (IPv4) or /32 (IPv6) the address lies in, or the host name: dials are spread over these.</summary>
    public string SpreadGroup => Ip is { } ip ? AddressPrefix.SpreadPrefix(ip) : Host;

    /// <exception cref="ArgumentException">Empty host, or a port outside 1–65535.</exception>
    public static PeerAddress Create(string host, int port)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var trimmed = host.Trim().TrimStart('[').TrimEnd(']');
        if (IPAddress.TryParse(trimmed, out var ip))
        {
            return From(ip, port);
        }

        return new PeerAddress(trimmed.TrimEnd('.').ToLowerInvariant(), port, null);
    }

    public static PeerAddress From(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        var ip = Common.Endpoints.Normalize(address);
        // A scope id names an interface of this host; it does not make a different peer.
        if (ip.AddressFamily == AddressFamily.InterNetworkV6 && ip.ScopeId != 0 && !ip.IsIPv6LinkLocal)
        {
            ip = new IPAddress(ip.GetAddressBytes());
        }

        return new PeerAddress(ip.ToString(), port, ip);
    }

    public static PeerAddress From(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return From(endPoint.Address, endPoint.Port);
    }

    public override string ToString() =>
        Ip?.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    public bool Equals(PeerAddress? other) =>
        other is not null && Port == other.Port && string.Equals(Host, other.Host, StringComparison.Ordinal);

    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Host), Port);
}
