using System.Security.Cryptography;
using OpenRed.IntegrationTests.Cli;
using OpenRed.IntegrationTests.Node;

namespace OpenRed.IntegrationTests.Phoenix;

/// <summary>The Phoenix commands through the real CLI: publish, resurrect and urns with --json, and kill -9 during a fetch.</summary>
public sealed class PhoenixProcessTests
{
    [Fact]
    public async Task PublishResurrectUrns_Json_AndTextLines()
    {
        using var dir = new TempDirectory();
        await using var a = await NodeCli.StartAsync(dir.Sub("a"), "alice");
        await using var b = await NodeCli.StartAsync(dir.Sub("b"), "bob");
        var aPort = await NodeCli.TcpPortAsync(a);
        var aFp = await NodeCli.FingerprintAsync(a);
        await b.CommandJsonAsync($"connect 127.0.0.1:{aPort} --expect {aFp}");
        var file = dir.Sub("Sunset Photo.png");
        var content = RandomNumberGenerator.GetBytes(2_500_000);
        await File.WriteAllBytesAsync(file, content);

        var published = await a.CommandJsonAsync($"publish \"{file}\"");
        published.GetProperty("name").GetString().Should().Be("sunset_photo");
        published.GetProperty("media_type").GetString().Should().Be("image/png");
        published.GetProperty("size").GetInt64().Should().Be(2_500_000);
        published.GetProperty("chunk_count").GetInt32().Should().Be(10);
        published.GetProperty("replicas").EnumerateArray().Select(r => r.GetProperty("node_id").GetString()).Should().Equal("bob");

        var urns = await b.CommandJsonAsync("urns");
        var held = urns.GetProperty("urns").EnumerateArray().Single();
        held.GetProperty("role").GetString().Should().Be("replica");
        held.GetProperty("publisher").GetString().Should().Be(aFp);

        await using var c = await NodeCli.StartAsync(dir.Sub("c"), "carol");
        await c.CommandJsonAsync($"connect 127.0.0.1:{await NodeCli.TcpPortAsync(b)}");
        var resurrected = await c.CommandJsonAsync("resurrect SUNSET_PHOTO");
        resurrected.GetProperty("stage").GetString().Should().Be("network");
        // bob answers and names alice, the publisher, as a holder too: carol dials her with her fingerprint.
        resurrected.GetProperty("holders").EnumerateArray().Select(h => h.GetProperty("node_id").GetString()).Should().BeSubsetOf(["bob", "alice"]);
        var path = resurrected.GetProperty("path").GetString()!;
        path.Should().EndWith(Path.Combine("resurrected", "sunset_photo.png"));
        (await File.ReadAllBytesAsync(path)).Should().Equal(content);

        var before = c.StdoutLines.Count;
        await c.WriteLineAsync("resurrect sunset_photo");
        var line = await c.WaitForStdoutAsync(l => l.StartsWith("resurrected", StringComparison.Ordinal), skip: before);
        line.Should().MatchRegex(@"^resurrected sunset_photo from cache in \d+ ms \(2\.4 MiB from 1 holder\) -> .*sunset_photo\.png$");
        (await c.CommandJsonAsync("status")).GetProperty("phoenix").GetProperty("held_urns").GetInt32().Should().Be(1);

        before = a.StdoutLines.Count;
        await a.WriteLineAsync($"publish \"{file}\" urn_image_001");
        (await a.WaitForStdoutAsync(l => l.StartsWith("published", StringComparison.Ordinal), skip: before))
            .Should().MatchRegex(@"^published urn_image_001 \(2\.4 MiB, 10 chunks\) · replicas 2/3: (bob, carol|carol, bob)$", "carol's session with alice makes her a candidate too");
    }

    [Fact]
    public async Task KillDuringFetch_Restart_ResurrectCompletesWithoutRefetchingStoredChunks()
    {
        using var dir = new TempDirectory();
        await using var a = await NodeCli.StartAsync(dir.Sub("a"), "alice", 0, "--replicas", "1");
        var file = dir.Sub("big.bin");
        const int chunks = 128;
        await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes(chunks * 262144));
        await a.CommandJsonAsync($"publish \"{file}\" big");
        var aPort = await NodeCli.TcpPortAsync(a);
        var aFp = await NodeCli.FingerprintAsync(a);

        var d = await NodeCli.StartAsync(dir.Sub("d"), "dave");
        await d.CommandJsonAsync($"connect 127.0.0.1:{aPort} --expect {aFp}");
        await d.WriteLineAsync("resurrect big --json");
        var chunkDir = Path.Combine(dir.Sub("d"), "phoenix", "chunks");
        await Mesh.Eventually.True(
            () => Directory.Exists(chunkDir) && Directory.EnumerateFiles(chunkDir, "*", SearchOption.AllDirectories).Count() >= 8,
            TimeSpan.FromSeconds(30));
        d.Signal("KILL");
        await d.WaitForExitAsync();
        await d.DisposeAsync();
        var servedBefore = Served(await a.CommandJsonAsync("status"));

        await using var again = await NodeCli.StartAsync(dir.Sub("d"), "dave");
        await again.CommandJsonAsync($"connect 127.0.0.1:{aPort} --expect {aFp}");
        var result = await again.CommandJsonAsync("resurrect big", TimeSpan.FromSeconds(60));

        result.GetProperty("size").GetInt64().Should().Be(chunks * 262144L);
        var servedAfter = Served(await a.CommandJsonAsync("status"));
        (servedAfter - servedBefore).Should().BeLessThan(chunks, "chunks stored before the kill are not fetched again");
    }

    private static long Served(System.Text.Json.JsonElement status) => status.GetProperty("phoenix").GetProperty("chunks_served").GetInt64();
}
