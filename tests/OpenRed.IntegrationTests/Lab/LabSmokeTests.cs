using static OpenRed.IntegrationTests.Lab.LabProbes;

namespace OpenRed.IntegrationTests.Lab;

/// <summary>Traffic in the lab behaves like a LAN: unicast, multicast, unplugged cables, separate segments.</summary>
public sealed class LabSmokeTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [LabFact]
    public async Task TwoHosts_OwnAddressesAndNames_UnicastCrossesTheBridge()
    {
        await using var lab = await NetworkLab.StartAsync(new LabOptions(Hosts: 2), None);
        lab.AddressOf(1).ToString().Should().Be("10.77.0.1");
        lab.AddressOf(2).ToString().Should().Be("10.77.0.2");
        var name = await lab.RunAsync(2, "hostname", [], WaitLimit, None);
        name.StandardOutput.Trim().Should().Be(NetworkLab.HostName(2));

        var receiver = await StartReceiverAsync(lab, 2, 7001, group: null);
        (await SendAsync(lab, 1, "10.77.0.2", 7001, "hello")).ExitCode.Should().Be(0);

        (await receiver.ReadLineAsync(WaitLimit, None)).Should().Be("hello 10.77.0.1");
    }

    [LabFact]
    public async Task Multicast_FromHost1_ReachesEveryOtherHostOnTheBridge()
    {
        await using var lab = await NetworkLab.StartAsync(new LabOptions(Hosts: 3), None);
        var receiver2 = await StartReceiverAsync(lab, 2, 7002, MulticastGroup);
        var receiver3 = await StartReceiverAsync(lab, 3, 7002, MulticastGroup);

        (await SendAsync(lab, 1, MulticastGroup, 7002, "beacon")).ExitCode.Should().Be(0);

        (await receiver2.ReadLineAsync(WaitLimit, None)).Should().Be("beacon 10.77.0.1");
        (await receiver3.ReadLineAsync(WaitLimit, None)).Should().Be("beacon 10.77.0.1");
    }

    [LabFact]
    public async Task LinkDown_StopsTraffic_LinkUp_RestoresIt()
    {
        await using var lab = await NetworkLab.StartAsync(new LabOptions(Hosts: 2), None);
        var receiver = await StartReceiverAsync(lab, 2, 7003, MulticastGroup);

        await lab.LinkDownAsync(2, None);
        (await SendAsync(lab, 1, MulticastGroup, 7003, "lost")).ExitCode.Should().Be(0);
        (await receiver.ReadLineAsync(Silence, None)).Should().BeNull("host 2's cable is unplugged");

        await lab.LinkUpAsync(2, None);
        (await SendAsync(lab, 1, MulticastGroup, 7003, "back")).ExitCode.Should().Be(0);
        (await receiver.ReadLineAsync(WaitLimit, None)).Should().Be("back 10.77.0.1");
    }

    [LabFact]
    public async Task Spider_BridgesMeetOnlyInHost1_MulticastDoesNotCross()
    {
        await using var lab = await NetworkLab.StartAsync(new LabOptions(Hosts: 3, Topology: LabTopology.Spider), None);
        lab.LegCount(1).Should().Be(2);
        lab.AddressOf(1, 1).ToString().Should().Be("10.77.1.1");
        lab.AddressOf(3).ToString().Should().Be("10.77.1.3");
        var spiderLeft = await StartReceiverAsync(lab, 1, 7004, MulticastGroup, leg: 0);
        var right = await StartReceiverAsync(lab, 3, 7004, MulticastGroup);

        (await SendAsync(lab, 2, MulticastGroup, 7004, "left")).ExitCode.Should().Be(0);
        (await spiderLeft.ReadLineAsync(WaitLimit, None)).Should().Be("left 10.77.0.2");
        (await right.ReadLineAsync(Silence, None)).Should().BeNull("multicast must not cross from bridge 1 to bridge 2");

        (await SendAsync(lab, 1, MulticastGroup, 7004, "right", local: "10.77.1.1")).ExitCode.Should().Be(0);
        (await right.ReadLineAsync(WaitLimit, None)).Should().Be("right 10.77.1.1");

        var unicast = await SendAsync(lab, 2, "10.77.1.3", 7004, "direct");
        unicast.ExitCode.Should().NotBe(0, "host 2 has no route to bridge 2");
        unicast.StandardError.Should().Contain("unreachable");
    }

    [LabFact]
    public async Task Start_PipesStdinAndStdout()
    {
        await using var lab = await NetworkLab.StartAsync(new LabOptions(Hosts: 2), None);
        var repl = lab.Start(2, "bash", ["-c", "while read -r line; do echo \"$(hostname): $line\"; done"]);
        var output = ProcessLines.Attach(repl);

        await repl.StandardInput.WriteLineAsync("peers");
        await repl.StandardInput.FlushAsync();
        (await output.ReadLineAsync(WaitLimit, None)).Should().Be("host2: peers");

        repl.StandardInput.Close();
        await repl.WaitForExitAsync().WaitAsync(WaitLimit);
        repl.ExitCode.Should().Be(0);
    }

    [LabFact]
    public async Task Netem_DelaysTraffic_OrReportsUnsupported()
    {
        await using var lab = await NetworkLab.StartAsync(new LabOptions(Hosts: 2), None);
        if (!NetworkLab.NetemSupported)
        {
            var set = () => lab.SetNetemAsync(1, "delay 300ms", None);
            await set.Should().ThrowAsync<NotSupportedException>().WithMessage("*netem*");
            return;
        }

        await lab.SetNetemAsync(1, "delay 300ms", None);
        (await ConnectTimeMillisecondsAsync(lab, 1, "10.77.0.2")).Should().BeGreaterThanOrEqualTo(250);
        await lab.ClearNetemAsync(1, None);
        (await ConnectTimeMillisecondsAsync(lab, 1, "10.77.0.2")).Should().BeLessThan(250);
    }
}
