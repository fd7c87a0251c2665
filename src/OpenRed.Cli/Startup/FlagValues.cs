using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using OpenRed.Core.Identity;

namespace OpenRed.Cli.Startup;

/// <summary>Pure parsers for flag values. Each returns null and sets <c>error</c> to the text after "--flag: ".</summary>
internal static partial class FlagValues
{
    [GeneratedRegex(@"^[a-z0-9][a-z0-9_.:-]{0,127}\z")]
    private static partial Regex UrnNamePattern();

    [GeneratedRegex(@"^(?<n>[0-9]{1,19})(?<u>[KMGT]?)(?:I?B)?\z", RegexOptions.IgnoreCase)]
    private static partial Regex SizePattern();

    public static int? IntInRange(string text, int min, int max, out string? error, string? extra = null)
    {
        error = null;
        var digits = text.StartsWith('-') ? text[1..] : text;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            error = $"{Quote(text)} is not a whole number";
            return null;
        }

        if (digits.Length > 1 && digits[0] == '0')
        {
            // Some tools read 08080 as octal, others as decimal: refuse rather than guess which one was meant.
            error = $"{Quote(text)} has a leading zero; write {text[..^digits.Length]}{digits.TrimStart('0').PadLeft(1, '0')}";
            return null;
        }

        if (digits.Length > 10 || !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            || value < min || value > max)
        {
            error = $"{(text.Length > 20 ? Quote(text) : text)} is not in {min}–{max}{extra}";
            return null;
        }

        return (int)value;
    }

    /// <summary>0 asks the system for a free port; otherwise 1–65535.</summary>
    public static int? Port(string text, out string? error)
    {
        if (text == "0")
        {
            error = null;
            return 0;
        }

        return IntInRange(text, 1, 65535, out error, " (or 0 for a free port)");
    }

    public static string? NodeId(string text, out string? error)
    {
        error = NodeLabels.IsValidNodeId(text) ? null
            : $"{Quote(text)} is not a valid node-id (1–64 of A–Z a–z 0–9 _ . -, starting with a letter or digit)";
        return error is null ? text : null;
    }

    public static string? Sector(string text, out string? error)
    {
        error = NodeLabels.IsValidSector(text) ? null : $"{Quote(text)} is not a valid sector (1–32 of a–z 0–9 _ -)";
        return error is null ? text : null;
    }

    public static IPAddress? IpAddress(string text, out string? error)
    {
        error = null;
        if (IPAddress.TryParse(text, out var a) && (text.Contains(':', StringComparison.Ordinal) || text.Count(c => c == '.') == 3))
        {
            return a;
        }

        error = $"{Quote(text)} is not an IP address";
        return null;
    }

    public static IPAddress? Ipv4(string text, out string? error)
    {
        var a = IpAddress(text, out error);
        if (a is not null && a.AddressFamily != AddressFamily.InterNetwork)
        {
            error = $"{Quote(text)} is not an IPv4 address";
            return null;
        }

        return a;
    }

    public static IPAddress? Ipv4Multicast(string text, out string? error)
    {
        var a = Ipv4(text, out error);
        if (a is not null && (a.GetAddressBytes()[0] & 0xF0) != 0xE0)
        {
            error = $"{text} is not an IPv4 multicast address (224.0.0.0–239.255.255.255)";
            return null;
        }

        return a;
    }

    /// <summary>
    /// Where a listener binds: <c>1.2.3.4:port</c>, <c>[v6]:port</c>, <c>localhost:port</c>, or a port alone (loopback);
    /// port 0 lets the system choose.
    /// </summary>
    public static IPEndPoint? ListenEndPoint(string text, out string? error)
    {
        if (!text.Contains(':', StringComparison.Ordinal))
        {
            return Port(text, out error) is { } alone ? new IPEndPoint(IPAddress.Loopback, alone) : null;
        }

        var colon = text.LastIndexOf(':');
        var host = text[..colon];
        var address = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : host.StartsWith('[') && host.EndsWith(']') && IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6
            : !host.Contains(':', StringComparison.Ordinal) && IPAddress.TryParse(host, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork ? v4
            : null;
        if (address is null)
        {
            error = $"{Quote(text)} is not ip:port ({Quote(host)} is not an IP address; IPv6 goes in brackets: [::1]:8480)";
            return null;
        }

        if (Port(text[(colon + 1)..], out var portError) is not { } port)
        {
            error = $"{Quote(text)}: port {portError}";
            return null;
        }

        error = null;
        return new IPEndPoint(address, port);
    }

    /// <summary><c>host:port</c>, <c>1.2.3.4:port</c> or <c>[v6]:port</c>; host names are resolved only when dialled.</summary>
    public static DnsEndPoint? HostPort(string text, out string? error)
    {
        error = $"{Quote(text)} is not host:port";
        string host;
        string portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                return null;
            }

            host = text[1..close];
            portText = text[(close + 2)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"{Quote(text)}: {host} is not an IPv6 address";
                return null;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                return null;
            }

            host = text[..colon];
            portText = text[(colon + 1)..];
            if (Uri.CheckHostName(host) is not (UriHostNameType.Dns or UriHostNameType.IPv4))
            {
                error = $"{Quote(text)}: {Quote(host)} is not a host name or address";
                return null;
            }
        }

        if (IntInRange(portText, 1, 65535, out var portError) is not { } port)
        {
            error = $"{Quote(text)}: port {portError}";
            return null;
        }

        error = null;
        return new DnsEndPoint(host, port);
    }

    /// <summary>A URN name (section 8), lowercased as the user may type any case, optionally <c>@fingerprint-prefix</c>.</summary>
    public static string? Urn(string text, out string? error)
    {
        var lower = text.ToLowerInvariant();
        var at = lower.IndexOf('@', StringComparison.Ordinal);
        var name = at < 0 ? lower : lower[..at];
        if (!UrnNamePattern().IsMatch(name))
        {
            error = $"{Quote(text)} is not a URN name (1–128 of a–z 0–9 _ . : -, starting with a letter or digit)";
            return null;
        }

        if (at >= 0)
        {
            var prefix = lower[(at + 1)..];
            if (prefix.Length < Fingerprint.MinPrefixHexDigits || prefix.Length > Fingerprint.Length * 2 || !prefix.All(char.IsAsciiHexDigit))
            {
                error = $"{Quote(text)}: the publisher after @ must be 8–64 hex digits of a fingerprint";
                return null;
            }
        }

        error = null;
        return lower;
    }

    /// <summary>Bytes with an optional binary suffix: 500K, 500M, 2G, 1T (KiB, MiB, GiB, TiB); "MB"/"MiB" are read the same.</summary>
    public static long? Size(string text, long min, out string? error)
    {
        var m = SizePattern().Match(text);
        if (!m.Success || !ulong.TryParse(m.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            error = $"{Quote(text)} is not a size (like 500M or 2G)";
            return null;
        }

        var shift = m.Groups["u"].Value.ToUpperInvariant() switch
        {
            "K" => 10,
            "M" => 20,
            "G" => 30,
            "T" => 40,
            _ => 0,
        };
        if (n > (ulong)(long.MaxValue >> shift))
        {
            error = $"{text} is too large";
            return null;
        }

        var bytes = (long)(n << shift);
        if (bytes < min)
        {
            error = $"{text} is too small (at least {min >> 20}M)";
            return null;
        }

        error = null;
        return bytes;
    }

    private static string Quote(string s) => Rendering.Echo.Quote(s);
}
