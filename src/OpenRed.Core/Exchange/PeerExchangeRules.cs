using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OpenRed.Core.Common;
using OpenRed.Core.Identity;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Exchange;

/// <summary>One entry of a PeerExchange that passed the rules: a dial address and what the sender claims about it.</summary>
public sealed record ExchangeEntry(Fingerprint Fingerprint, IPAddress Address, int Port, string? NodeId, string? Sector);

/// <summary>
/// The rules of section 7 as pure functions: which received entries become candidates, and whether a message may
/// arrive now. No state, no clock: the module passes the times in.
/// </summary>
public static class PeerExchangeRules
{
    /// <summary>The lowest port an entry may name (section 7).</summary>
    public const int MinPort = 1024;

    /// <summary>
    /// Checks one entry sent by <paramref name="sender"/> from <paramref name="senderAddress"/>; returns the entry
    /// or, in <paramref name="rejection"/>, why it is ignored.
    /// </summary>
    public static ExchangeEntry? Check(
        PeerInfo entry, IPAddress senderAddress, Fingerprint self, Fingerprint sender, out ExchangeRejection rejection)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(senderAddress);
        rejection = default;
        if (!Fingerprint.TryFromBytes(entry.Fingerprint.Span, out var fingerprint) || fingerprint is null)
        {
            rejection = ExchangeRejection.BadFingerprint;
            return null;
        }

        if (fingerprint == self || fingerprint == sender)
        {
            rejection = ExchangeRejection.SelfOrSender;
            return null;
        }

        if (!TryParseLiteral(entry.Host, out var address))
        {
            rejection = ExchangeRejection.NotIpLiteral;
            return null;
        }

        if (!IsDialable(address))
        {
            rejection = ExchangeRejection.BadAddress;
            return null;
        }

        if (entry.Port is < MinPort or > 65535)
        {
            rejection = ExchangeRejection.BadPort;
            return null;
        }

        if (Scope(address) < Scope(senderAddress))
        {
            rejection = ExchangeRejection.NarrowerScope;
            return null;
        }

        // Empty labels are "not said"; a label that is said must be valid.
        var nodeId = entry.NodeId.Length == 0 ? null : entry.NodeId;
        var sector = entry.Sector.Length == 0 ? null : entry.Sector;
        if ((nodeId is not null && !NodeLabels.IsValidNodeId(nodeId)) || (sector is not null && !NodeLabels.IsValidSector(sector)))
        {
            rejection = ExchangeRejection.BadLabel;
            return null;
        }

        return new ExchangeEntry(fingerprint, address, (int)entry.Port, nodeId, sector);
    }

    /// <summary>
    /// Whether a PeerExchange may arrive at <paramref name="now"/> on a session whose last one arrived at
    /// <paramref name="previous"/> (null: none yet). The first is always allowed.
    /// </summary>
    public static bool ArrivalAllowed(DateTimeOffset? previous, DateTimeOffset now, ExchangeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return previous is not { } last || now - last >= options.Interval - options.ReceiveTolerance;
    }

    /// <summary>Whether a message of <paramref name="count"/> entries is within the limit.</summary>
    public static bool CountAllowed(int count, ExchangeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return count <= options.MaxEntries;
    }

    /// <summary>
    /// An IP literal as section 1 defines it: IPv4 as a dotted quad of decimal numbers, or IPv6 text without
    /// brackets or zone. <see cref="IPAddress.TryParse(string, out IPAddress)"/> alone would take "1" or "0x7f.1".
    /// </summary>
    public static bool TryParseLiteral(string host, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrEmpty(host) || host.Contains('%', StringComparison.Ordinal) || host.Contains('[', StringComparison.Ordinal))
        {
            return false;
        }

        if (host.Contains(':', StringComparison.Ordinal))
        {
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            address = Endpoints.Normalize(v6);
            return true;
        }

        var parts = host.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var p = parts[i];
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit)
                || !byte.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }
        }

        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>False for multicast, broadcast and unspecified addresses (and 0.0.0.0/8, "this network").</summary>
    public static bool IsDialable(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var a = Endpoints.Normalize(address);
        if (a.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = a.GetAddressBytes();
            return b[0] != 0 && b[0] < 224 && !a.Equals(IPAddress.Broadcast);
        }

        return !a.IsIPv6Multicast && !a.Equals(IPAddress.IPv6None) && !a.Equals(IPAddress.IPv6Any);
    }

    public static AddressScope Scope(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var a = Endpoints.Normalize(address);
        if (IPAddress.IsLoopback(a))
        {
            return AddressScope.Loopback;
        }

        if (a.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = a.GetAddressBytes();
            return (b[0], b[1]) switch
            {
                (169, 254) => AddressScope.LinkLocal,
                (10, _) => AddressScope.Private,
                (172, >= 16 and <= 31) => AddressScope.Private,
                (192, 168) => AddressScope.Private,
                (100, >= 64 and <= 127) => AddressScope.Private,
                _ => AddressScope.Global,
            };
        }

        if (a.IsIPv6LinkLocal)
        {
            return AddressScope.LinkLocal;
        }

        return a.IsIPv6UniqueLocal || a.IsIPv6SiteLocal ? AddressScope.Private : AddressScope.Global;
    }
}
