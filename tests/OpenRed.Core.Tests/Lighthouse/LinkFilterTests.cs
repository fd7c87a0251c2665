using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Lighthouse.Internal;

namespace OpenRed.Core.Tests.Lighthouse;

public sealed class LinkFilterTests
{
    private readonly FakeTimeProvider _time = new();
    private int _reads;
    private List<InterfacePrefixes> _interfaces =
    [
        new(1, "lo", true, [(IPAddress.Parse("127.0.0.1"), 8)]),
        new(2, "eth0", false, [(IPAddress.Parse("192.168.1.20"), 24)]),
        new(3, "wlan0", false, [(IPAddress.Parse("10.1.0.5"), 16)]),
    ];

    private LinkFilter NewFilter(int? required = null) =>
        new(() =>
        {
            _reads++;
            return _interfaces;
        }, _time, TimeSpan.FromSeconds(10), required);

    [Theory]
    [InlineData("127.0.0.1", 1, true)]
    [InlineData("127.5.6.7", 1, true)]
    [InlineData("169.254.3.4", 2, true)]
    [InlineData("192.168.1.77", 2, true)]
    [InlineData("192.168.2.77", 2, false)]
    [InlineData("10.1.200.1", 3, true)]
    [InlineData("10.1.200.1", 2, false)]
    [InlineData("10.1.200.1", 0, true)]
    [InlineData("8.8.8.8", 0, false)]
    public void IsOnLink_SourceInReceivingInterfaceSubnet(string source, int index, bool expected)
    {
        NewFilter().IsOnLink(IPAddress.Parse(source), index).Should().Be(expected);
    }

    [Fact]
    public void IsOnLink_OtherInterfaceThanJoined_IsOffLink()
    {
        var filter = NewFilter(required: 2);
        filter.IsOnLink(IPAddress.Parse("192.168.1.77"), 2).Should().BeTrue();
        filter.IsOnLink(IPAddress.Parse("10.1.0.9"), 3).Should().BeFalse();
    }

    [Fact]
    public void IsOnLink_Misses_RereadInterfacesAtMostOncePerPeriod()
    {
        var filter = NewFilter();
        for (var i = 0; i < 100; i++)
        {
            filter.IsOnLink(IPAddress.Parse("172.16.0.9"), 2).Should().BeFalse();
        }

        _reads.Should().Be(1);

        // A new address appears on eth0; after the period the filter learns it.
        _interfaces = [.. _interfaces, new InterfacePrefixes(2, "eth0", false, [(IPAddress.Parse("172.16.0.1"), 24)])];
        _time.Advance(TimeSpan.FromSeconds(11));
        filter.IsOnLink(IPAddress.Parse("172.16.0.9"), 2).Should().BeTrue();
        _reads.Should().Be(2);
    }
}
