using System.Net;
using OpenRed.Core.Peers;

namespace OpenRed.Core.Tests.Peers;

public sealed class PeerAddressTests
{
    [Fact]
    public void Create_MappedIPv6_IsTheSameAddressAsIPv4()
    {
        var mapped = PeerAddress.Create("::ffff:192.168.1.7", 7900);
        var plain = PeerAddress.From(IPAddress.Parse("192.168.1.7"), 7900);

        mapped.Should().Be(plain);
        mapped.Host.Should().Be("192.168.1.7");
        mapped.ToString().Should().Be("192.168.1.7:7900");
    }

    [Fact]
    public void Create_HostName_IsLowercaseAndHasNoIp()
    {
        var a = PeerAddress.Create("Seed.Example.ORG.", 7982);

        a.Should().Be(PeerAddress.Create("seed.example.org", 7982));
        a.Ip.Should().BeNull();
        a.SpreadGroup.Should().Be("seed.example.org");
    }

    [Fact]
    public void Create_BracketedIPv6_IsCanonical()
    {
        var a = PeerAddress.Create("[2001:DB8::1]", 443);

        a.Host.Should().Be("2001:db8::1");
        a.ToString().Should().Be("[2001:db8::1]:443");
    }

    [Fact]
    public void SpreadGroup_SameSlash16_SameGroup_OtherSlash16_Other()
    {
        Peer.At("10.1.2.3").SpreadGroup.Should().Be(Peer.At("10.1.200.9").SpreadGroup);
        Peer.At("10.1.2.3").SpreadGroup.Should().NotBe(Peer.At("10.2.2.3").SpreadGroup);
    }

    [Theory]
    [InlineData("", 1)]
    [InlineData("h", 0)]
    [InlineData("h", 65536)]
    public void Create_Invalid_Throws(string host, int port)
    {
        var act = () => PeerAddress.Create(host, port);

        act.Should().Throw<ArgumentException>();
    }
}
