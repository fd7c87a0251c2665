using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace OpenRed.Core.Lighthouse.Internal;

/// <summary>One interface's IPv4 index and subnets, as the link filter needs them.</summary>
internal sealed record InterfacePrefixes(int Index, string Name, bool IsLoopback, IReadOnlyList<(IPAddress Address, int PrefixLength)> Prefixes)
{
    public static IReadOnlyList<InterfacePrefixes> FromSystem()
    {
        var result = new List<InterfacePrefixes>();
        foreach (var ni in NetworkInterface.GetAllNetworkInterfaces())
        {
            try
            {
                var props = ni.GetIPProperties();
                var index = props.GetIPv4Properties()?.Index ?? -1;
                var prefixes = props.UnicastAddresses
                    .Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork)
                    .Select(a => (a.Address, a.PrefixLength))
                    .ToList();
                result.Add(new InterfacePrefixes(index, ni.Name, ni.NetworkInterfaceType == NetworkInterfaceType.Loopback, prefixes));
            }
            catch (NetworkInformationException)
            {
                // An interface without IPv4 has nothing to offer the filter.
            }
        }

        return result;
    }
}
