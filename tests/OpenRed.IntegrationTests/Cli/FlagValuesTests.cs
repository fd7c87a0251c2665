using OpenRed.Cli.Startup;

namespace OpenRed.IntegrationTests.Cli;

public sealed class FlagValuesTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1", 1L)]
    [InlineData("1024", 1024L)]
    [InlineData("500K", 500L << 10)]
    [InlineData("500M", 500L << 20)]
    [InlineData("2G", 2L << 30)]
    [InlineData("2g", 2L << 30)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("1T", 1L << 40)]
    public void Size_BinarySuffixes(string text, long expected)
    {
        FlagValues.Size(text, 0, out var error).Should().Be(expected);
        error.Should().BeNull();
    }

    [Theory]
    [InlineData("12Q")]
    [InlineData("")]
    [InlineData("-1M")]
    [InlineData("1.5G")]
    [InlineData("99999999999999999999G")]
    [InlineData("9999999999T")]
    public void Size_Rejects(string text)
    {
        FlagValues.Size(text, 0, out var error).Should().BeNull();
        error.Should().NotBeNull();
    }

    [Theory]
    [InlineData("500M\n")]
    [InlineData("2G\n")]
    public void Size_TrailingNewline_Rejected(string text)
    {
        FlagValues.Size(text, 0, out var error).Should().BeNull();
        error.Should().NotBeNull();
    }

    [Theory]
    [InlineData("urn_image_001\n")]
    [InlineData("urn_image_001\n@8df858e3")]
    public void Urn_TrailingNewline_Rejected(string text)
    {
        FlagValues.Urn(text, out var error).Should().BeNull();
        error.Should().NotBeNull();
    }

    [Fact]
    public void NodeIdAndSector_TrailingNewline_Rejected()
    {
        FlagValues.NodeId("bob\n", out var error).Should().BeNull();
        error.Should().NotBeNull();
        FlagValues.Sector("general\n", out error).Should().BeNull();
        error.Should().NotBeNull();
    }

    [Fact]
    public void Size_BelowMinimum_Rejected()
    {
        FlagValues.Size("500K", 1L << 20, out var error).Should().BeNull();
        error.Should().Contain("too small");
    }

    [Theory]
    [InlineData("example.org:80", "example.org", 80)]
    [InlineData("10.0.0.1:8080", "10.0.0.1", 8080)]
    [InlineData("[::1]:8080", "::1", 8080)]
    public void HostPort_Accepts(string text, string host, int port)
    {
        var ep = FlagValues.HostPort(text, out var error);
        error.Should().BeNull();
        ep!.Host.Should().Be(host);
        ep.Port.Should().Be(port);
    }

    [Theory]
    [InlineData("example.org")]
    [InlineData(":80")]
    [InlineData("host:0")]
    [InlineData("host:70000")]
    [InlineData("::1:80")]
    [InlineData("[nothex]:80")]
    [InlineData("bad host:80")]
    public void HostPort_Rejects(string text)
    {
        FlagValues.HostPort(text, out var error).Should().BeNull();
        error.Should().NotBeNull();
    }

    [Theory]
    [InlineData("urn_image_001", "urn_image_001")]
    [InlineData("URN_Image_001", "urn_image_001")]
    [InlineData("doc.v1:part-2@8DF858E3", "doc.v1:part-2@8df858e3")]
    public void Urn_AcceptsAndLowercases(string text, string expected)
    {
        FlagValues.Urn(text, out var error).Should().Be(expected);
        error.Should().BeNull();
    }

    [Theory]
    [InlineData("_x")]
    [InlineData("a b")]
    [InlineData("name@123")]
    [InlineData("name@zzzzzzzz")]
    public void Urn_Rejects(string text)
    {
        FlagValues.Urn(text, out var error).Should().BeNull();
        error.Should().NotBeNull();
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("65535", 65535)]
    public void Port_ZeroOrInRange(string text, int expected) => FlagValues.Port(text, out _).Should().Be(expected);

    [Fact]
    public void Port_OutOfRange_MessageNamesRange()
    {
        FlagValues.Port("70000", out var error).Should().BeNull();
        error.Should().StartWith("70000 is not in 1–65535");
    }

    [Theory]
    [InlineData("1.2")]
    [InlineData("300.1.1.1")]
    [InlineData("localhost")]
    public void IpAddress_RejectsShortFormsAndNames(string text) => FlagValues.IpAddress(text, out _).Should().BeNull();

    [Fact]
    public void Ipv4Multicast_RequiresMulticast()
    {
        FlagValues.Ipv4Multicast("239.255.79.82", out _).Should().NotBeNull();
        FlagValues.Ipv4Multicast("10.0.0.1", out _).Should().BeNull();
        FlagValues.Ipv4Multicast("ff02::1", out _).Should().BeNull();
    }
}
