using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OpenRed.Cli.Web;

/// <summary>
/// The address the dashboard is bound to, and the Host and Origin values that name it. A page served under another
/// host name could be a DNS-rebinding attack (a site whose name now resolves to this machine), so only the listener's
/// own literal address passes, plus <c>localhost</c> on loopback. A wildcard bind cannot know its names: any IP
/// literal passes then, as rebinding needs a host name.
/// </summary>
internal sealed class WebAddress
{
    public WebAddress(IPEndPoint bound)
    {
        Bound = bound;
        var shown = bound.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : bound.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : bound.Address;
        BaseUrl = $"http://{HostPort(shown, bound.Port)}/";
    }

    public IPEndPoint Bound { get; }

    /// <summary>What a browser on this machine opens: the bound address, or loopback when bound to all.</summary>
    public string BaseUrl { get; }

    public bool IsLoopback => IPAddress.IsLoopback(Bound.Address);

    public bool IsWildcard => Bound.Address.Equals(IPAddress.Any) || Bound.Address.Equals(IPAddress.IPv6Any);

    public static string HostPort(IPAddress address, int port) => address.AddressFamily == AddressFamily.InterNetworkV6
        ? $"[{address}]:{port.ToString(CultureInfo.InvariantCulture)}"
        : $"{address}:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>True when the Host header (<c>host:port</c>) names this listener.</summary>
    public bool IsOwnHost(string? hostHeader)
    {
        if (string.IsNullOrEmpty(hostHeader) || !TrySplit(hostHeader, out var host, out var port) || port != Bound.Port)
        {
            return false;
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IsLoopback || IsWildcard;
        }

        if (!IPAddress.TryParse(host, out var address))
        {
            return false;
        }

        return IsWildcard || address.Equals(Bound.Address) || (IsLoopback && IPAddress.IsLoopback(address));
    }

    /// <summary>True when an Origin header is this listener's own (<c>http://</c> and a host that passes <see cref="IsOwnHost"/>).</summary>
    public bool IsOwnOrigin(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && uri.Scheme == Uri.UriSchemeHttp
        && uri.AbsolutePath == "/"
        && string.IsNullOrEmpty(uri.Query)
        && IsOwnHost(uri.IsDefaultPort ? uri.Host + ":80" : uri.Authority);

    private static bool TrySplit(string hostHeader, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = hostHeader.LastIndexOf(':');
        var close = hostHeader.LastIndexOf(']');
        if (colon < 0 || colon < close)
        {
            // No port: the browser sends one for any port but 80, and the dashboard never listens on a default.
            host = hostHeader.Trim('[', ']');
            port = 80;
            return true;
        }

        host = hostHeader[..colon].Trim('[', ']');
        return int.TryParse(hostHeader.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port);
    }
}
