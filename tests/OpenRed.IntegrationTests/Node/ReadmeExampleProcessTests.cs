using OpenRed.IntegrationTests.Cli;

namespace OpenRed.IntegrationTests.Node;

/// <summary>Nodes on the default lighthouse group and port: nothing else of the test run may share them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DefaultLighthouseCollection
{
    public const string Name = "default lighthouse port";
}

/// <summary>
/// Issue 10.1: the README's first two-node example, with the README's flags (only the data directories are
/// temporary): no --interface, so the lighthouse must pick the interface of the group's route by itself.
/// </summary>
[Collection(DefaultLighthouseCollection.Name)]
public sealed class ReadmeExampleProcessTests
{
    [Fact]
    public async Task ReadmeTwoNodes_WithoutInterfaceFlag_BobsMapShowsAlice()
    {
        using var dir = new TempDirectory();
        await using var alice = OpenRedProcess.Start("--node-id", "alice", "--data-dir", dir.Sub("alice"), "--daemon");
        await using var bob = OpenRedProcess.Start("--node-id", "bob", "--data-dir", dir.Sub("bob"), "--port", "8081");
        var aliceFingerprint = await NodeCli.FingerprintAsync(alice);

        var map = await NodeCli.PollAsync(bob, "map", m => NodeCli.MapPeers(m).Contains(aliceFingerprint), TimeSpan.FromSeconds(20));

        NodeCli.MapPeers(map).Should().Contain(aliceFingerprint);
        var lighthouse = (await bob.CommandJsonAsync("status")).GetProperty("lighthouse");
        lighthouse.GetProperty("interface").GetString().Should().Be("127.0.0.1", "the group's route in the namespace is 'dev lo'");
        lighthouse.GetProperty("interface_name").GetString().Should().Be("lo");
        lighthouse.GetProperty("dropped").TryGetProperty("not_on_link", out _).Should().BeFalse("a beacon from the chosen interface is on its link");
    }
}
