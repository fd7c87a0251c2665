using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace OpenRed.Core.Lighthouse.Internal;

/// <summary>
/// "Source on the link of the receiving interface" (section 3): a loopback or IPv4 link-local source, or one inside a
/// subnet of the interface the datagram arrived on (all interfaces when the index is unknown). When the lighthouse
/// joined on one interface, datagrams arriving on another are off-link. The interface list is cached and re-read on a
/// miss at most once per refresh period, so a flood of strangers cannot make it re-read the system tables.
/// </summary>
internal sealed class LinkFilter(Func<IReadOnlyList<InterfacePrefixes>> source, TimeProvider time, TimeSpan refreshPeriod, int? requiredIndex)
{
    private IReadOnlyList<InterfacePrefixes> _interfaces = [];
    private long? _readAt;

    public bool IsOnLink(IPAddress address, int interfaceIndex)
    {
        address = Common.Endpoints.Normalize(address);

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        if (requiredIndex is { } required && interfaceIndex > 0 && interfaceIndex != required)
        {
            return false;
        }

        if (IPAddress.IsLoopback(address) || IsLinkLocal(address))
        {
            return true;
        }

        if (_readAt is null)
        {
            Refresh();
        }

        if (Matches(address, interfaceIndex))
        {
            return true;
        }

        if (time.GetElapsedTime(_readAt!.Value) < refreshPeriod)
        {
            return false;
        }

        Refresh();
        return Matches(address, interfaceIndex);
    }

    private void Refresh()
    {
        _interfaces = source();
        _readAt = time.GetTimestamp();
    }

    private bool Matches(IPAddress address, int interfaceIndex)
    {
        var known = interfaceIndex > 0 && _interfaces.Any(i => i.Index == interfaceIndex);
        var value = ToUInt32(address);
        foreach (var iface in _interfaces)
        {
            if (known && iface.Index != interfaceIndex)
            {
                continue;
            }

            foreach (var (prefixAddress, length) in iface.Prefixes)
            {
                var mask = length <= 0 ? 0u : length >= 32 ? uint.MaxValue : uint.MaxValue << (32 - length);
                if ((value & mask) == (ToUInt32(prefixAddress) & mask))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsLinkLocal(IPAddress address)
    {
        var value = ToUInt32(address);
        return (value & 0xFFFF0000) == 0xA9FE0000;
    }

    private static uint ToUInt32(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }
}
