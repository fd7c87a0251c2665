using System.Net;
using Google.Protobuf;
using OpenRed.Core.Exchange;
using OpenRed.Core.Identity;
using OpenRed.Core.Tests.Peers;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Tests.Exchange;

public sealed class PeerExchangeRulesTests
{
    private static readonly Fingerprint Self = Peer.Fp(0x10);
    private static readonly Fingerprint Sender = Peer.Fp(0x20);
    private static readonly IPAddress Lan = IPAddress.Parse("192.168.1.5");
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("192.168.1.9")]
    [InlineData("10.0.0.1")]
    [InlineData("8.8.4.4")]
    [InlineData("2001:db8::1")]
    [InlineData("fd00::7")]
    public void Check_ValidEntry_BecomesACandidateWithItsFingerprint(string host)
    {
        var entry = PeerExchangeRules.Check(Info(host), Lan, Self, Sender, out _);

        entry.Should().NotBeNull();
        entry!.Fingerprint.Should().Be(Peer.Fp(0x30));
        entry.Address.Should().Be(IPAddress.Parse(host));
        entry.Port.Should().Be(7900);
        entry.NodeId.Should().Be("carol");
        entry.Sector.Should().Be("general");
    }

    [Theory]
    [InlineData("example.org")]
    [InlineData("1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("127.1")]
    [InlineData("[2001:db8::1]")]
    [InlineData("fe80::1%eth0")]
    [InlineData("192.168.1.256")]
    [InlineData(" 192.168.1.9")]
    [InlineData("")]
    public void Check_HostNotAnIpLiteral_Ignored(string host)
    {
        PeerExchangeRules.Check(Info(host), Lan, Self, Sender, out var why).Should().BeNull();
        why.Should().Be(ExchangeRejection.NotIpLiteral);
    }

    [Theory]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.79.82")]
    [InlineData("255.255.255.255")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("ff02::1")]
    [InlineData("::")]
    public void Check_MulticastBroadcastUnspecified_Ignored(string host)
    {
        PeerExchangeRules.Check(Info(host), IPAddress.Parse("8.8.8.8"), Self, Sender, out var why).Should().BeNull();
        why.Should().Be(ExchangeRejection.BadAddress);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(80u)]
    [InlineData(1023u)]
    [InlineData(65536u)]
    public void Check_PortBelow1024OrOutOfRange_Ignored(uint port)
    {
        PeerExchangeRules.Check(Info("192.168.1.9", port), Lan, Self, Sender, out var why).Should().BeNull();
        why.Should().Be(ExchangeRejection.BadPort);
    }

    [Fact]
    public void Check_Port1024_Accepted()
    {
        PeerExchangeRules.Check(Info("192.168.1.9", 1024), Lan, Self, Sender, out _).Should().NotBeNull();
    }

    [Theory]
    [InlineData("127.0.0.1", "192.168.1.5")]
    [InlineData("::1", "10.0.0.2")]
    [InlineData("169.254.1.1", "10.0.0.2")]
    [InlineData("10.0.0.3", "8.8.8.8")]
    [InlineData("192.168.1.9", "2001:db8::2")]
    public void Check_ScopeNarrowerThanTheSender_Ignored(string host, string sender)
    {
        PeerExchangeRules.Check(Info(host), IPAddress.Parse(sender), Self, Sender, out var why).Should().BeNull();
        why.Should().Be(ExchangeRejection.NarrowerScope);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("192.168.1.9", "127.0.0.1")]
    [InlineData("8.8.8.8", "10.0.0.2")]
    [InlineData("127.0.0.2", "::ffff:127.0.0.1")]
    public void Check_ScopeEqualOrWider_Accepted(string host, string sender)
    {
        PeerExchangeRules.Check(Info(host), IPAddress.Parse(sender), Self, Sender, out _).Should().NotBeNull();
    }

    [Fact]
    public void Check_NamesTheReceiverOrTheSender_Ignored()
    {
        PeerExchangeRules.Check(Info("192.168.1.9", fingerprint: Self), Lan, Self, Sender, out var why).Should().BeNull();
        why.Should().Be(ExchangeRejection.SelfOrSender);
        PeerExchangeRules.Check(Info("192.168.1.9", fingerprint: Sender), Lan, Self, Sender, out why).Should().BeNull();
        why.Should().Be(ExchangeRejection.SelfOrSender);
    }

    [Fact]
    public void Check_FingerprintNot32Bytes_Ignored()
    {
        var info = Info("192.168.1.9");
        info.Fingerprint = ByteString.CopyFrom(new byte[31]);

        PeerExchangeRules.Check(info, Lan, Self, Sender, out var why).Should().BeNull();
        why.Should().Be(ExchangeRejection.BadFingerprint);
    }

    [Fact]
    public void Check_BadLabels_Ignored_EmptyLabelsAreUnknown()
    {
        var badSector = Info("192.168.1.9");
        badSector.Sector = "Not A Sector";
        var badId = Info("192.168.1.9");
        badId.NodeId = "-x";
        var empty = Info("192.168.1.9");
        empty.NodeId = "";
        empty.Sector = "";

        PeerExchangeRules.Check(badSector, Lan, Self, Sender, out var why).Should().BeNull();
        why.Should().Be(ExchangeRejection.BadLabel);
        PeerExchangeRules.Check(badId, Lan, Self, Sender, out why).Should().BeNull();
        why.Should().Be(ExchangeRejection.BadLabel);
        var unknown = PeerExchangeRules.Check(empty, Lan, Self, Sender, out _);
        unknown!.NodeId.Should().BeNull();
        unknown.Sector.Should().BeNull();
    }

    [Fact]
    public void Check_Ipv4MappedIpv6_IsTheIpv4Address()
    {
        PeerExchangeRules.Check(Info("::ffff:192.168.1.9"), Lan, Self, Sender, out _)!.Address.Should().Be(IPAddress.Parse("192.168.1.9"));
    }

    [Fact]
    public void ArrivalAllowed_FirstAlways_ThenOncePerIntervalLessTolerance()
    {
        var o = new ExchangeOptions { Interval = TimeSpan.FromMinutes(1), ReceiveTolerance = TimeSpan.FromSeconds(5) };

        PeerExchangeRules.ArrivalAllowed(null, Now, o).Should().BeTrue();
        PeerExchangeRules.ArrivalAllowed(Now, Now.AddSeconds(1), o).Should().BeFalse();
        PeerExchangeRules.ArrivalAllowed(Now, Now.AddSeconds(54.9), o).Should().BeFalse();
        PeerExchangeRules.ArrivalAllowed(Now, Now.AddSeconds(55), o).Should().BeTrue();
        PeerExchangeRules.ArrivalAllowed(Now, Now.AddMinutes(10), o).Should().BeTrue();
    }

    [Fact]
    public void CountAllowed_UpToFifty()
    {
        PeerExchangeRules.CountAllowed(50, ExchangeOptions.Default).Should().BeTrue();
        PeerExchangeRules.CountAllowed(51, ExchangeOptions.Default).Should().BeFalse();
    }

    [Theory]
    [InlineData("127.0.0.1", AddressScope.Loopback)]
    [InlineData("::1", AddressScope.Loopback)]
    [InlineData("169.254.3.4", AddressScope.LinkLocal)]
    [InlineData("fe80::1", AddressScope.LinkLocal)]
    [InlineData("10.1.2.3", AddressScope.Private)]
    [InlineData("172.16.0.1", AddressScope.Private)]
    [InlineData("172.32.0.1", AddressScope.Global)]
    [InlineData("192.168.0.1", AddressScope.Private)]
    [InlineData("100.64.0.1", AddressScope.Private)]
    [InlineData("fd12::1", AddressScope.Private)]
    [InlineData("93.184.216.34", AddressScope.Global)]
    [InlineData("2001:db8::1", AddressScope.Global)]
    public void Scope_OfAddresses(string address, AddressScope scope)
    {
        PeerExchangeRules.Scope(IPAddress.Parse(address)).Should().Be(scope);
    }

    private static PeerInfo Info(string host, uint port = 7900, Fingerprint? fingerprint = null) => new()
    {
        Fingerprint = ByteString.CopyFrom((fingerprint ?? Peer.Fp(0x30)).Bytes),
        NodeId = "carol",
        Sector = "general",
        Host = host,
        Port = port,
        LastSeenMs = (ulong)Now.ToUnixTimeMilliseconds(),
    };
}
