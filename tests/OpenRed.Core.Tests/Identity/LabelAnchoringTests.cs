using OpenRed.Core.Identity;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Tests.Lighthouse;

namespace OpenRed.Core.Tests.Identity;

/// <summary>Issue 9.3: in .NET <c>$</c> also matches before a final newline, so the patterns must end in <c>\z</c>.</summary>
public sealed class LabelAnchoringTests
{
    [Theory]
    [InlineData("bob\n")]
    [InlineData("bob\r\n")]
    [InlineData("\nbob")]
    public void IsValidNodeId_WithNewline_IsFalse(string nodeId) => NodeLabels.IsValidNodeId(nodeId).Should().BeFalse();

    [Theory]
    [InlineData("general\n")]
    [InlineData("work\r\n")]
    public void IsValidSector_WithNewline_IsFalse(string sector) => NodeLabels.IsValidSector(sector).Should().BeFalse();

    [Fact]
    public void IsValid_PlainLabels_StillTrue()
    {
        NodeLabels.IsValidNodeId("bob").Should().BeTrue();
        NodeLabels.IsValidNodeId(new string('b', 64)).Should().BeTrue();
        NodeLabels.IsValidSector("general").Should().BeTrue();
    }

    [Fact]
    public void BeaconCodec_NodeIdWithTrailingNewline_IsBadNodeId()
    {
        BeaconCodec.TryParse(BeaconCodec.Encode(Beacons.Make(nodeId: "bob\n")), out _, out var rejection).Should().BeFalse();
        rejection.Should().Be(BeaconRejection.BadNodeId);
    }

    [Fact]
    public void BeaconCodec_SectorWithTrailingNewline_IsBadSector()
    {
        BeaconCodec.TryParse(BeaconCodec.Encode(Beacons.Make(sector: "general\n")), out _, out var rejection).Should().BeFalse();
        rejection.Should().Be(BeaconRejection.BadSector);
    }
}
