using OpenRed.Cli.Startup;

namespace OpenRed.IntegrationTests.Cli;

public sealed class StartupFlagsLabelTests
{
    private static StartupFlags Flags() => new(() => "host", k => k == "HOME" ? "/home/u" : null);

    [Fact]
    public void NoLabelFlags_NodeIdAndSectorAreFallbacks_NewIdentityOff()
    {
        var flags = Flags();

        var o = flags.ToOptions(flags.Parse(["--data-dir", "/data/a"])).Node;

        (o.NodeId, o.NodeIdIsFallback, o.Sector, o.SectorIsFallback, o.AcceptNewIdentity).Should().Be(("host", true, "general", true, false));
    }

    [Fact]
    public void LabelFlagsGiven_AreNotFallbacks_EvenWhenEqualToDefaults()
    {
        var flags = Flags();

        var o = flags.ToOptions(flags.Parse(["--node-id", "host", "--sector", "general", "--new-identity"])).Node;

        (o.NodeIdIsFallback, o.SectorIsFallback, o.AcceptNewIdentity).Should().Be((false, false, true));
    }
}
