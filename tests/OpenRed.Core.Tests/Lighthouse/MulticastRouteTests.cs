using System.Net;
using OpenRed.Core.Lighthouse.Internal;

namespace OpenRed.Core.Tests.Lighthouse;

/// <summary>Issue 10.1: with no --interface, the lighthouse uses the interface of the group's route.</summary>
public sealed class MulticastRouteTests
{
    private const string Header = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

    // The route scripts/netns.sh adds, as the namespace's /proc/net/route shows it (on x86: "lo 000000E0 ... 000000F0").
    private static readonly string Namespace = Header + Route("lo", "224.0.0.0", "240.0.0.0", flags: 1, metric: 0);

    private static readonly string Lan = Header
        + Route("eth0", "0.0.0.0", "0.0.0.0", flags: 3, metric: 100)
        + Route("eth0", "192.168.1.0", "255.255.255.0", flags: 1, metric: 100)
        + Route("wg0", "10.0.0.0", "255.0.0.0", flags: 1, metric: 0);

    private static readonly IPAddress Group = IPAddress.Parse("239.255.79.82");

    [Fact]
    public void RouteDevice_NamespaceMulticastRoute_IsLo()
    {
        MulticastRoute.RouteDevice(Namespace, Group).Should().Be("lo");
    }

    [Fact]
    public void RouteDevice_OnlyDefaultRoute_IsItsDevice()
    {
        MulticastRoute.RouteDevice(Lan, Group).Should().Be("eth0");
        MulticastRoute.RouteDevice(Lan, IPAddress.Parse("10.0.0.9")).Should().Be("wg0", "the longest prefix wins");
    }

    [Fact]
    public void RouteDevice_MoreSpecificMulticastRoute_Wins()
    {
        var table = Lan + Route("eth1", "224.0.0.0", "240.0.0.0", flags: 1, metric: 0);
        MulticastRoute.RouteDevice(table, Group).Should().Be("eth1");
    }

    [Fact]
    public void RouteDevice_RouteDown_OrNoRoute_IsNull()
    {
        MulticastRoute.RouteDevice(Header + Route("lo", "224.0.0.0", "240.0.0.0", flags: 0, metric: 0), Group).Should().BeNull();
        MulticastRoute.RouteDevice(Header, Group).Should().BeNull();
        MulticastRoute.RouteDevice("garbage", Group).Should().BeNull();
    }

    [Fact]
    public void Choose_NoSourceFromTheRoute_TakesTheRouteDevicesAddress()
    {
        var interfaces = new[]
        {
            new InterfacePrefixes(1, "lo", true, [(IPAddress.Loopback, 8)]),
            new InterfacePrefixes(2, "eth0", false, [(IPAddress.Parse("192.168.1.5"), 24)]),
        };

        // The probe socket's answer depends on the machine, but it never names an address of these fake interfaces
        // (192.168.1.5 is not ours, 127.0.0.1 is never the source towards a multicast group), so the table decides.
        MulticastRoute.Choose(Group, 7982, interfaces, () => Namespace).Should().Be(IPAddress.Loopback);
    }

    [Fact]
    public void RouteDevice_KernelText_OnThisMachine()
    {
        // The literal line of the namespace on a little-endian machine (every machine .NET runs this on today).
        if (BitConverter.IsLittleEndian)
        {
            MulticastRoute.RouteDevice(Header + "lo\t000000E0\t00000000\t0001\t0\t0\t0\t000000F0\t0\t0\t0\n", Group).Should().Be("lo");
        }
    }

    /// <summary>A /proc/net/route line: the kernel prints each address's u32 as it lies in memory, in host order.</summary>
    private static string Route(string device, string destination, string mask, int flags, int metric) =>
        $"{device}\t{HostHex(destination)}\t00000000\t{flags:X4}\t0\t0\t{metric}\t{HostHex(mask)}\t0\t0\t0\n";

    private static string HostHex(string address) =>
        BitConverter.ToUInt32(IPAddress.Parse(address).GetAddressBytes()).ToString("X8", System.Globalization.CultureInfo.InvariantCulture);
}
