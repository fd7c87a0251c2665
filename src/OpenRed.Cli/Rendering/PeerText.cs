using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OpenRed.Core.Common;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Mesh;
using OpenRed.Core.Node;

namespace OpenRed.Cli.Rendering;

/// <summary>How peers, addresses, durations and sizes read in the prompt's text output (never in JSON).</summary>
internal static class PeerText
{
    /// <summary><c>10.0.0.2:8080</c>, <c>[fe80::1]:8080</c>; the bare address when the port is unknown (0).</summary>
    public static string Endpoint(IPAddress address, int port) =>
        port <= 0 ? Address(address) : Endpoints.Format(new IPEndPoint(address, port));

    public static string Endpoint(IPEndPoint endpoint) => Endpoint(endpoint.Address, endpoint.Port);

    /// <summary>IPv4-mapped IPv6 addresses read as plain IPv4.</summary>
    public static string Address(IPAddress address) => Endpoints.Normalize(address).ToString();

    public static string State(LighthousePeerState state) => state switch
    {
        LighthousePeerState.Unverified => "unverified",
        LighthousePeerState.Verified => "verified",
        LighthousePeerState.Connected => "connected",
        _ => "lost",
    };

    public static string Direction(SessionDirection direction) =>
        direction == SessionDirection.Outbound ? "outbound" : "inbound";

    /// <summary>Where a session's peer listens: its listen port when it announced one, else only its address.</summary>
    public static (IPAddress Address, int Port) ListenAddress(SessionInfo session)
    {
        var dial = session.DialAddress;
        var address = dial?.Address ?? session.Remote.Address;
        return (Endpoints.Normalize(address), dial?.Port ?? 0);
    }

    /// <summary><c>4 s</c>, <c>3 min</c>, <c>2 h 5 min</c>, <c>3 d 4 h</c>.</summary>
    public static string Duration(TimeSpan t)
    {
        if (t < TimeSpan.Zero)
        {
            t = TimeSpan.Zero;
        }

        return t.TotalSeconds < 60 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalSeconds} s")
            : t.TotalMinutes < 60 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes} min")
            : t.TotalHours < 24 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours} h {t.Minutes} min")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalDays} d {t.Hours} h");
    }

    public static string Ago(TimeSpan t) => Duration(t) + " ago";

    /// <summary>Round-trip time: <c>0.4 ms</c>, <c>12 ms</c>; <c>-</c> before the first Pong.</summary>
    public static string Rtt(TimeSpan? rtt) => rtt switch
    {
        null => "-",
        { TotalMilliseconds: < 10 } r => string.Create(CultureInfo.InvariantCulture, $"{r.TotalMilliseconds:0.0} ms"),
        { } r => string.Create(CultureInfo.InvariantCulture, $"{r.TotalMilliseconds:0} ms"),
    };

    /// <summary>Binary units, like the size flags: <c>512 B</c>, <c>1.5 KiB</c>, <c>20.0 MiB</c>.</summary>
    public static string Bytes(long n)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = n;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{n} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }

    /// <summary>A local date and time for people: <c>2025-03-01 14:02:11</c>.</summary>
    public static string Time(DateTimeOffset t) => t.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary><c>bob (9a8b7c6d5e4f3a2b)</c>; the node-id came from a peer, so it is shown visibly.</summary>
    public static string Name(string nodeId, OpenRed.Core.Identity.Fingerprint fingerprint) =>
        $"{OpenRed.Core.Text.VisibleText.Escape(nodeId)} ({fingerprint.Short})";
}
