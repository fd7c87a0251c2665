using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OpenRed.Core.Lighthouse.Internal;

/// <summary>
/// Picks the interface to send beacons from and join the group on when none was configured: the one the group's
/// route uses. Left to the system, a socket with no multicast interface sends from 0.0.0.0 where the route names
/// no source (a namespace whose only route to 224.0.0.0/4 is "dev lo"), and every receiver's link filter, ours
/// included, drops that as off-link.
/// </summary>
internal static class MulticastRoute
{
    private const string RouteTablePath = "/proc/net/route";
    private const int RouteUp = 0x1;

    /// <summary>The chosen interface address, or null to leave the choice to the system.</summary>
    public static IPAddress? Choose(IPAddress group, int port, IReadOnlyList<InterfacePrefixes> interfaces, Func<string?> routeTable)
    {
        // Connecting a UDP socket sends nothing; it only asks the kernel which source the route would use.
        var local = LocalAddressTowards(group, port);
        if (local is not null && !local.Equals(IPAddress.Any) && interfaces.Any(i => i.Prefixes.Any(p => p.Address.Equals(local))))
        {
            return local;
        }

        var table = routeTable();
        var device = table is null ? null : RouteDevice(table, group);
        return device is null ? null : interfaces.FirstOrDefault(i => i.Name == device && i.Prefixes.Count > 0)?.Prefixes[0].Address;
    }

    /// <summary>The system's route table in the text form of /proc/net/route, or null where there is none.</summary>
    public static string? ReadSystemRouteTable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return File.ReadAllText(RouteTablePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The device of the most specific route that is up and covers <paramref name="destination"/> in a
    /// /proc/net/route table (lowest metric among equals), or null. Addresses there are hex in host byte order.
    /// </summary>
    public static string? RouteDevice(string table, IPAddress destination)
    {
        ArgumentNullException.ThrowIfNull(table);
        Span<byte> bytes = stackalloc byte[4];
        if (destination.AddressFamily != AddressFamily.InterNetwork || !destination.TryWriteBytes(bytes, out _))
        {
            return null;
        }

        var target = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        string? best = null;
        var bestLength = -1;
        var bestMetric = long.MaxValue;
        foreach (var line in table.Split('\n').Skip(1))
        {
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 8
                || !TryHostOrderHex(f[1], out var network) || !TryHostOrderHex(f[7], out var mask)
                || !int.TryParse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags)
                || !long.TryParse(f[6], NumberStyles.None, CultureInfo.InvariantCulture, out var metric)
                || (flags & RouteUp) == 0 || (target & mask) != (network & mask))
            {
                continue;
            }

            var length = System.Numerics.BitOperations.PopCount(mask);
            if (length > bestLength || (length == bestLength && metric < bestMetric))
            {
                best = f[0];
                bestLength = length;
                bestMetric = metric;
            }
        }

        return best;
    }

    /// <summary>Reads a /proc/net/route address (the kernel's u32 printed in host order) as a big-endian value.</summary>
    private static bool TryHostOrderHex(string hex, out uint value)
    {
        value = 0;
        if (!uint.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var raw))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[4];
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, raw);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, raw);
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return true;
    }

    private static IPAddress? LocalAddressTowards(IPAddress group, int port)
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Connect(new IPEndPoint(group, port));
            return (probe.LocalEndPoint as IPEndPoint)?.Address;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
