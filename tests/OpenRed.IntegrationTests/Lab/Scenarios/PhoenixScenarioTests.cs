using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Xunit.Abstractions;

namespace OpenRed.IntegrationTests.Lab.Scenarios;

/// <summary>
/// Issue 11 across bridged hosts: host 1 publishes with three other hosts around it, its replicas hold the URN,
/// host 1 is stopped, and the host that is not a replica resurrects it from the replicas. Every node runs with
/// <c>--replicas 2</c>: two replicas among three peers leave one host without it, and when the publisher is gone
/// the two live holders still make the count, so no repair hands the URN to the resurrecting host meanwhile.
/// </summary>
[Collection(ScenarioCollection.Name)]
public sealed class PhoenixScenarioTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [LabFact]
    public async Task PublishOnA_ReplicasHoldIt_StopA_TheOtherHostResurrectsFromReplicas()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        var cancellationToken = timeout.Token;
        await using var lab = await ScenarioLab.StartAsync(
            new LabOptions(Hosts: 4), ["phx", "phx", "phx", "phx"], _ => ["--replicas", "2"], cancellationToken);
        foreach (var n in lab.Nodes)
        {
            var others = lab.Nodes.Where(o => o != n).Select(o => o.NodeId).ToList();
            await Poll.UntilAsync(c => n.PeersAsync(ScenarioLab.AnswerTimeout, c), p => others.All(p.NodeIds.Contains), Within,
                $"{n.NodeId}'s sessions with {string.Join(", ", others)}", cancellationToken);
        }

        var content = RandomNumberGenerator.GetBytes(1_500_000);
        var file = Path.Combine(lab.Lab.StateDirectory, "lab_photo.bin");
        await File.WriteAllBytesAsync(file, content, cancellationToken);
        var published = await lab[1].CommandJsonAsync($"publish {file} lab_photo", TimeSpan.FromSeconds(60), cancellationToken);
        var chunks = published.GetProperty("chunk_count").GetInt32();
        output.WriteLine($"published: {published}");

        // The replicas: the two peers that come to hold every chunk, pinned as replicas.
        var holding = new List<LabNode>();
        await Poll.UntilAsync(
            async c =>
            {
                holding.Clear();
                foreach (var n in lab.Nodes.Skip(1))
                {
                    var urns = await n.CommandJsonAsync("urns", ScenarioLab.AnswerTimeout, c);
                    if (urns.GetProperty("urns").EnumerateArray().Any(u => u.GetProperty("name").GetString() == "lab_photo"
                        && u.GetProperty("role").GetString() == "replica" && u.GetProperty("chunks_held").GetInt32() == chunks))
                    {
                        holding.Add(n);
                    }
                }

                return holding.Count;
            },
            count => count == 2,
            Within,
            "two replicas holding every chunk of lab_photo",
            cancellationToken);
        var replicas = holding.Select(n => n.NodeId).ToList();
        var asker = lab.Nodes.Skip(1).Single(n => !replicas.Contains(n.NodeId));
        output.WriteLine($"replicas: {string.Join(", ", replicas)}; resurrecting on {asker.NodeId}");

        await lab.Lab.KillHostProcessesAsync(1, cancellationToken);
        await Poll.UntilAsync(c => asker.PeersAsync(ScenarioLab.AnswerTimeout, c), p => !p.NodeIds.Contains(lab[1].NodeId), Within,
            $"{asker.NodeId} without a session to h1", cancellationToken);

        var resurrected = await asker.CommandJsonAsync("resurrect lab_photo --timeout 20", TimeSpan.FromSeconds(60), cancellationToken);

        output.WriteLine($"resurrected: {resurrected}");
        resurrected.GetProperty("stage").GetString().Should().Be("network");
        resurrected.GetProperty("holders").EnumerateArray().Select(h => h.GetProperty("node_id").GetString())
            .Should().NotBeEmpty().And.BeSubsetOf(replicas, "the publisher is gone; only replicas hold it");
        (await File.ReadAllBytesAsync(resurrected.GetProperty("path").GetString()!, cancellationToken)).Should().Equal(content);
        resurrected.GetProperty("publisher").GetString().Should().Be(published.GetProperty("publisher").GetString());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{resurrected.GetProperty("elapsed_ms").GetDouble():0} ms"));
    }
}
