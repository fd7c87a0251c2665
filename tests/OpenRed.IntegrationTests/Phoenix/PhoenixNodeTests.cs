using Google.Protobuf;
using OpenRed.Core;
using OpenRed.Core.Phoenix;
using OpenRed.Core.Wire.Proto;
using OpenRed.IntegrationTests.Cli;
using OpenRed.IntegrationTests.Mesh;
using static OpenRed.IntegrationTests.Phoenix.PhoenixNodes;

namespace OpenRed.IntegrationTests.Phoenix;

/// <summary>Issue 11 on real nodes over loopback: replication, resurrection from replicas, forwarding, repair, auto-resurrect, a lying holder.</summary>
public sealed class PhoenixNodeTests(MeshKeys keys) : IClassFixture<MeshKeys>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Publish_ThreeReplicasHold_PublisherStops_AnotherResurrectsFromReplicas()
    {
        using var tmp = new TempDirectory();
        var a = await StartAsync(tmp, "a");
        await using var b = await StartAsync(tmp, "b");
        await using var c = await StartAsync(tmp, "c");
        await using var e = await StartAsync(tmp, "e");
        await FullMeshAsync(a, b, c, e);
        var file = WriteFile(tmp, "sunset.jpg", 6_000_000, out var content);

        var published = await a.Phoenix.PublishAsync(file, "urn_image_001", null, CancellationToken.None);

        published.Replicas.Select(r => r.NodeId).Should().BeEquivalentTo(["b", "c", "e"]);
        published.MediaType.Should().Be("image/jpeg");
        foreach (var r in new[] { b, c, e })
        {
            Holding(r, "urn_image_001").Should().NotBeNull().And.Match<UrnEntry>(u => u.Role == UrnRole.Replica);
        }

        await a.DisposeAsync();
        await using var d = await StartAsync(tmp, "d");
        await FullMeshAsync(d, b, c, e);
        var result = await d.Phoenix.ResurrectAsync("urn_image_001", null, null, null, CancellationToken.None);

        result.Stage.Should().Be(ResurrectStage.Network);
        result.Holders.Select(h => h.NodeId).Should().BeSubsetOf(["b", "c", "e"]).And.HaveCountGreaterThan(1, "23 chunks, 8 requests a holder: spread over the holders");
        File.ReadAllBytes(result.OutputPath!).Should().Equal(content);
        result.OutputPath.Should().Be(Path.Combine(tmp.Sub("d"), "resurrected", "urn_image_001.jpg"));
    }

    [Fact]
    public async Task TwoHops_NoDirectSession_ResolvesThroughForwarding()
    {
        using var tmp = new TempDirectory();
        await using var a = await StartAsync(tmp, "a", replicas: 0);
        await using var b = await StartAsync(tmp, "b", replicas: 0);
        await using var c = await StartAsync(tmp, "c", replicas: 0);
        await ConnectAsync(a, b);
        await ConnectAsync(b, c);
        var file = WriteFile(tmp, "far.bin", 700_000, out var content);
        await a.Phoenix.PublishAsync(file, "far_away", null, CancellationToken.None);

        var result = await c.Phoenix.ResurrectAsync("far_away", tmp.Sub("out.bin"), null, null, CancellationToken.None);

        result.Stage.Should().Be(ResurrectStage.Network);
        result.Holders.Should().ContainSingle().Which.Fingerprint.Should().Be(a.Fingerprint);
        File.ReadAllBytes(tmp.Sub("out.bin")).Should().Equal(content);
        Holding(b, "far_away").Should().BeNull("the middle node only relayed the answer");
    }

    [Fact]
    public async Task ReplicaLeaves_ReplacedWithinTwoMaintenanceRounds()
    {
        using var tmp = new TempDirectory();
        await using var a = await StartAsync(tmp, "a");
        var others = new List<OpenRedNode>();
        for (var i = 0; i < 4; i++)
        {
            others.Add(await StartAsync(tmp, "r" + i));
        }

        try
        {
            await FullMeshAsync([a, .. others]);
            var file = WriteFile(tmp, "kept.bin", 300_000, out _);
            var published = await a.Phoenix.PublishAsync(file, "kept", null, CancellationToken.None);
            published.Replicas.Should().HaveCount(3);
            var leaving = others.First(o => published.Replicas.Any(r => r.Fingerprint == o.Fingerprint));
            var spare = others.Single(o => published.Replicas.All(r => r.Fingerprint != o.Fingerprint));
            Holding(spare, "kept").Should().BeNull();

            await leaving.DisposeAsync();
            others.Remove(leaving);

            // Maintenance runs every second here: two rounds and the offer's pull.
            await Eventually.True(() => Holding(spare, "kept") is { Role: UrnRole.Replica }, TimeSpan.FromSeconds(2 * 1 + 3));
        }
        finally
        {
            foreach (var o in others)
            {
                await o.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AutoResurrect_UrnPublishedLater_HeldAndPinned()
    {
        using var tmp = new TempDirectory();
        await using var a = await StartAsync(tmp, "a", replicas: 0);
        await using var d = await StartAsync(tmp, "d", replicas: 0, autoResurrect: ["Late_URN"]);
        await ConnectAsync(d, a);
        await Eventually.True(() => d.Phoenix.AutoResurrect.Single().Attempts >= 1, Wait);
        d.Phoenix.AutoResurrect.Single().Held.Should().BeFalse();

        var file = WriteFile(tmp, "late.bin", 400_000, out var content);
        await a.Phoenix.PublishAsync(file, "late_urn", null, CancellationToken.None);

        await Eventually.True(() => d.Phoenix.AutoResurrect.Single().Held, Wait);
        Holding(d, "late_urn").Should().NotBeNull().And.Match<UrnEntry>(u => u.Role == UrnRole.Pinned);
        var status = d.GetStatus().Sections.Single(s => s.Name == "phoenix");
        status.Lines.Should().Contain(l => l.Label == "auto-resurrect" && l.Value.Contains("held and pinned", StringComparison.Ordinal));
        File.ReadAllBytes(Path.Combine(tmp.Sub("d"), "resurrected", "late_urn.bin")).Should().Equal(content);
    }

    [Fact]
    public async Task LyingHolder_DetectedAvoidedAndCounted_ContentStillRight()
    {
        using var tmp = new TempDirectory();
        await using var a = await StartAsync(tmp, "a", replicas: 0);
        await using var d = await StartAsync(tmp, "d", replicas: 0);
        var file = WriteFile(tmp, "ten.bin", 10 * 262144, out var content);
        await a.Phoenix.PublishAsync(file, "ten", null, CancellationToken.None);

        UrnRecord? record = null;
        await using var liar = MeshHarness.Start(keys.Other, "liar", register: mesh =>
        {
            mesh.Handle(Envelope.BodyOneofCase.UrnQuery, async (s, e, cancellationToken) =>
            {
                var found = new UrnFound { QueryId = e.UrnQuery.QueryId, Record = record };
                found.Holders.Add(new PeerInfo { Fingerprint = ByteString.CopyFrom(keys.Other.Fingerprint.Bytes), NodeId = "liar" });

                // The honest holder second, with its address: d's only answer names both, the liar's slots take the
                // first chunks, so the liar is asked whatever the timing (with a session of d to a, a's own answer
                // could come first and a fast fetch end before the liar's answer arrived).
                found.Holders.Add(new PeerInfo
                {
                    Fingerprint = ByteString.CopyFrom(a.Fingerprint.Bytes), NodeId = "a", Host = "127.0.0.1", Port = (uint)a.Port,
                });
                await s.ReplyPartialAsync(e, new Envelope { UrnFound = found }, cancellationToken);
                await s.ReplyAsync(e, new Envelope { UrnQueryDone = new UrnQueryDone { QueryId = e.UrnQuery.QueryId, Found = 1 } }, cancellationToken);
            });
            mesh.Handle(Envelope.BodyOneofCase.ChunkRequest, (s, e, cancellationToken) => s.ReplyAsync(e, new Envelope
            {
                ChunkData = new ChunkData { Root = e.ChunkRequest.Root, Index = e.ChunkRequest.Index, Data = ByteString.CopyFrom(new byte[262144]) },
            }, cancellationToken));
        });
        var toA = await liar.Mesh.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, a.Port), a.Fingerprint, CancellationToken.None);
        await foreach (var answer in toA.RequestManyAsync(
            new Envelope { UrnQuery = new UrnQuery { QueryId = ByteString.CopyFrom(new byte[16]), Name = "ten" } },
            x => x.BodyCase != Envelope.BodyOneofCase.UrnFound, CancellationToken.None))
        {
            record ??= answer.UrnFound?.Record;
        }

        record.Should().NotBeNull();
        await d.ConnectAsync("127.0.0.1", liar.Endpoint.Port, keys.Other.Fingerprint, CancellationToken.None);

        var result = await d.Phoenix.ResurrectAsync("ten", tmp.Sub("ten.out"), null, null, CancellationToken.None);

        File.ReadAllBytes(tmp.Sub("ten.out")).Should().Equal(content);
        result.Holders.Should().ContainSingle().Which.NodeId.Should().Be("a");
        var refused = (IReadOnlyDictionary<string, long>)d.GetStatus().Sections.Single(s => s.Name == "phoenix").Json["refused"]!;
        refused["bad_chunk"].Should().BeGreaterThan(0);
    }
}
