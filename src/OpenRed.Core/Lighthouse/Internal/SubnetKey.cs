using System.Net;
using System.Net.Sockets;

namespace OpenRed.Core.Lighthouse.Internal;

/// <summary>The /24 of an IPv4 source (the /56 of an IPv6 one), for the per-subnet peer cap.</summary>
internal readonly record struct SubnetKey(ulong Value, bool IsV6)
{
    public static SubnetKey Of(IPAddress address)
    {
        address = Common.Endpoints.Normalize(address);

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return new SubnetKey(((ulong)bytes[0] << 16) | ((ulong)bytes[1] << 8) | bytes[2], false);
        }

        ulong v = 0;
        for (var i = 0; i < 7; i++)
        {
            v = (v << 8) | bytes[i];
        }

        return new SubnetKey(v, true);
    }
}
