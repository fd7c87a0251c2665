using System.Security.Cryptography;
using OpenRed.Core.Identity;
using OpenRed.Core.Phoenix;
using OpenRed.Core.Phoenix.Internal;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Tests.Phoenix;

/// <summary>The three stages of resolution and the query rules, over in-memory sessions.</summary>
public sealed class ResolverTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly MemoryMesh _mesh = new();
    private readonly NodeIdentity _alice = NodeIdentity.FromPem(File.ReadAllText(TestData.Path("vectors/responder.pem")));
    private readonly NodeIdentity _bob = NodeIdentity.FromPem(File.ReadAllText(TestData.Path("vectors/initiator.pem")));

    public void Dispose()
    {
        _mesh.Dispose();
        _alice.Dispose();
        _bob.Dispose();
    }

    [Fact]
    public async Task Resolve_HeldLocally_FromCache()
    {
        var a = _mesh.Add("a", identity: _alice);
        var info = a.Publish(RandomNumberGenerator.GetBytes(300_000), "photo");

        var r = await a.Parts.Resolver.ResolveAsync(new UrnRequest("photo", null), Timeout, UrnRole.Cached, null, CancellationToken.None);

        r.Stage.Should().Be(ResurrectStage.Cache);
        r.Info.RootHex.Should().Be(info.RootHex);
    }

    [Fact]
    public async Task Resolve_HeldByPeer_FromNetwork_AllChunksStoredAndVerified()
    {
        var a = _mesh.Add("a", identity: _alice);
        var b = _mesh.Add("b");
        MemoryMesh.Link(a, b);
        var info = a.Publish(RandomNumberGenerator.GetBytes(1_000_000), "photo");

        var r = await b.Parts.Resolver.ResolveAsync(new UrnRequest("photo", null), Timeout, UrnRole.Cached, null, CancellationToken.None);

        r.Stage.Should().Be(ResurrectStage.Network);
        r.Holders.Should().ContainSingle().Which.Fingerprint.Should().Be(a.Self);
        b.Parts.Resolver.Verify(info).Should().AllSatisfy(h => h.Should().BeTrue());
        b.Parts.Index.Get(info.Root)!.Role.Should().Be(UrnRole.Cached);
    }

    [Fact]
    public async Task Resolve_TwoHops_ForwardedAndRelayed_ThenFetchedByDialling()
    {
        var a = _mesh.Add("a", identity: _alice);
        var b = _mesh.Add("b");
        var c = _mesh.Add("c");
        MemoryMesh.Link(a, b);
        MemoryMesh.Link(b, c);
        var info = a.Publish(RandomNumberGenerator.GetBytes(700_000), "far_away");

        var r = await c.Parts.Resolver.ResolveAsync(new UrnRequest("far_away", null), Timeout, UrnRole.Cached, null, CancellationToken.None);

        r.Stage.Should().Be(ResurrectStage.Network);
        r.Holders.Select(h => h.Fingerprint).Should().Contain(a.Self);
        c.Parts.Resolver.Verify(info).Should().AllSatisfy(h => h.Should().BeTrue());
        c.Links.Should().Contain(a, "the holder named by the relayed answer is dialled with its fingerprint");
    }

    [Fact]
    public async Task Resolve_PublisherLostChunks_RegeneratedFromSource_ThenChangedSourceReported()
    {
        var a = _mesh.Add("a", identity: _alice);
        var content = RandomNumberGenerator.GetBytes(600_000);
        var source = Path.Combine(a.DataDir, "source.bin");
        await File.WriteAllBytesAsync(source, content);
        var info = a.Publish(content, "regen", source);
        a.Parts.Store.Delete([info.Hash(1).ToArray()]);

        var r = await a.Parts.Resolver.ResolveAsync(new UrnRequest("regen", null), TimeSpan.FromSeconds(1), UrnRole.Cached, null, CancellationToken.None);

        r.Stage.Should().Be(ResurrectStage.Regeneration);
        a.Parts.Resolver.Verify(info).Should().AllSatisfy(h => h.Should().BeTrue());

        content[300_000] ^= 1;
        await File.WriteAllBytesAsync(source, content);
        a.Parts.Store.Delete([info.Hash(1).ToArray()]);
        var act = () => a.Parts.Resolver.ResolveAsync(new UrnRequest("regen", null), TimeSpan.FromSeconds(1), UrnRole.Cached, null, CancellationToken.None);
        (await act.Should().ThrowAsync<PhoenixException>()).Which.Failure.Should().Be(PhoenixFailure.SourceChanged);
        a.Parts.Index.Get(info.Root)!.SourceChanged.Should().BeTrue();
    }

    [Fact]
    public async Task Resolve_PublisherLostAChunk_AnotherNodeGetsItRegenerated_StageRegeneration()
    {
        var a = _mesh.Add("a", identity: _alice);
        var b = _mesh.Add("b");
        var r1 = _mesh.Add("r1");
        MemoryMesh.Link(a, b);
        MemoryMesh.Link(r1, b);
        var content = RandomNumberGenerator.GetBytes(800_000);
        var source = Path.Combine(a.DataDir, "source.bin");
        await File.WriteAllBytesAsync(source, content);
        var info = a.Publish(content, "regen_far", source);
        r1.Hold(info, content);
        r1.Parts.Store.Delete([info.Hash(1).ToArray()]);
        a.Parts.Store.Delete([info.Hash(1).ToArray(), info.Hash(2).ToArray()]);

        var r = await b.Parts.Resolver.ResolveAsync(new UrnRequest("regen_far", null), Timeout, UrnRole.Cached, null, CancellationToken.None);

        r.Stage.Should().Be(ResurrectStage.Regeneration, "chunk 1 was nowhere but in the publisher's source");
        b.Parts.Resolver.Verify(info).Should().AllSatisfy(h => h.Should().BeTrue());
        // Chunk 2 too when the publisher's answer came before the replica's (the fetch starts on the first answer).
        a.Counters.ChunksRegenerated.Should().BeInRange(1, 2);
    }

    [Fact]
    public async Task Resolve_NothingAnywhere_FailureNamesWhatWasTried()
    {
        var a = _mesh.Add("a");
        var b = _mesh.Add("b");
        MemoryMesh.Link(a, b);

        var act = () => a.Parts.Resolver.ResolveAsync(new UrnRequest("nowhere", null), TimeSpan.FromSeconds(1), UrnRole.Cached, null, CancellationToken.None);

        var e = (await act.Should().ThrowAsync<PhoenixException>()).Which;
        e.Failure.Should().Be(PhoenixFailure.NotFound);
        e.Message.Should().Contain("cache: not held").And.Contain("network:").And.Contain("1 session").And.Contain("regeneration");
    }

    [Fact]
    public async Task Resolve_TwoPublishersOfOneName_Ambiguous_ThenPrefixPicksOne()
    {
        var a = _mesh.Add("a", identity: _alice);
        var b = _mesh.Add("b", identity: _bob);
        var c = _mesh.Add("c");
        MemoryMesh.Link(a, c);
        MemoryMesh.Link(b, c);
        // Ambiguity is judged when the fetch ends (section 8): a fetch of many chunks leaves the second answer time
        // to arrive even on a loaded machine, where a 1000-byte fetch could end first.
        a.Publish(RandomNumberGenerator.GetBytes(8 << 20), "same");
        var bobs = b.Publish(RandomNumberGenerator.GetBytes(8 << 20), "same");

        var act = () => c.Parts.Resolver.ResolveAsync(new UrnRequest("same", null), Timeout, UrnRole.Cached, null, CancellationToken.None);

        var e = (await act.Should().ThrowAsync<PhoenixException>()).Which;
        e.Failure.Should().Be(PhoenixFailure.Ambiguous);
        e.Publishers.Select(p => p.Fingerprint).Should().BeEquivalentTo([a.Self, b.Self]);

        var r = await c.Parts.Resolver.ResolveAsync(new UrnRequest("same", b.Self.Hex[..10]), Timeout, UrnRole.Cached, null, CancellationToken.None);
        r.Info.RootHex.Should().Be(bobs.RootHex);
    }

    [Fact]
    public async Task Resolve_NewerVersionSeen_OlderRejectedAsStale()
    {
        var a = _mesh.Add("a", identity: _alice);
        var b = _mesh.Add("b");
        MemoryMesh.Link(a, b);
        var v2 = a.Publish(RandomNumberGenerator.GetBytes(1000), "versioned", version: 2);
        await b.Parts.Resolver.ResolveAsync(new UrnRequest("versioned", null), Timeout, UrnRole.Cached, null, CancellationToken.None);
        a.Parts.Index.Remove(v2.Root);
        a.Publish(RandomNumberGenerator.GetBytes(1000), "versioned", version: 1);
        b.Parts.Index.Remove(v2.Root);

        var act = () => b.Parts.Resolver.ResolveAsync(new UrnRequest("versioned", null), TimeSpan.FromSeconds(1), UrnRole.Cached, null, CancellationToken.None);

        await act.Should().ThrowAsync<PhoenixException>();
        b.Counters.Refused.Should().ContainKey(Refusal.StaleVersion);
    }

    [Fact]
    public async Task Query_TooManyHops_RefusedAndCounted()
    {
        var a = _mesh.Add("a");
        var b = _mesh.Add("b");

        var answer = await new MemoryPeer(b, a).RequestAsync(Query("x", hops: 4), CancellationToken.None);

        answer.Error.Code.Should().Be(ErrorCode.BadRequest);
        a.Counters.Refused.Should().ContainKey(Refusal.TooManyHops);
    }

    [Fact]
    public async Task Query_Flood_RateLimitedPerSession()
    {
        // A frozen clock: on a loaded machine 15 requests can take long enough on the real one to refill the bucket.
        var a = _mesh.Add("a", time: new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow));
        var b = _mesh.Add("b");
        var peer = new MemoryPeer(b, a);

        var answers = new List<Envelope>();
        for (var i = 0; i < 15; i++)
        {
            answers.Add(await peer.RequestAsync(Query("x", hops: 0), CancellationToken.None));
        }

        answers.Count(e => e.Error?.Code == ErrorCode.RateLimited).Should().BeGreaterThanOrEqualTo(4, "burst 10 at 5 a second");
        a.Counters.Refused[Refusal.RateLimited].Should().BeGreaterThanOrEqualTo(4);
    }

    [Fact]
    public async Task Search_HolderSendsMoreUrnFoundThanAllowed_ExcessRefusedAndCountedInStatus()
    {
        // A long hop time: the search must end on the holder's UrnQueryDone, not on a deadline a loaded machine can miss.
        var slow = PhoenixOptions.Default with { HopTime = TimeSpan.FromSeconds(30) };
        var a = _mesh.Add("a", slow, identity: _alice);
        var b = _mesh.Add("b", slow);
        MemoryMesh.Link(a, b);
        a.Publish(RandomNumberGenerator.GetBytes(1000), "flooded");
        a.RepeatFound = 11;

        // The search itself, read to its end: the resolver stops reading once it has what it needs.
        var answers = new List<FoundAnswer>();
        await using (var search = NetworkSearch.Start(
            b, new RecordIntake(b.Parts.Index, b.Counters), b.Options, TimeProvider.System, b.Counters, "flooded", null, 0, CancellationToken.None))
        {
            await foreach (var answer in search.Answers.ReadAllAsync())
            {
                answers.Add(answer);
            }

            await search.Completion;
            search.Done.Should().Be(1);
        }

        answers.Should().HaveCountLessThanOrEqualTo(8).And.NotBeEmpty();
        b.Counters.Refused[Refusal.TooManyFound].Should().Be(3, "8 UrnFound per query are allowed, 11 came");
        var status = PhoenixStatus.Build(b.Parts, b.Counters, b.Options, []);
        status.Lines.Single(l => l.Label == "urn refusals").Value.Should().Contain("too_many_found 3");
        ((IReadOnlyDictionary<string, long>)status.Json["refused"]!)[Refusal.TooManyFound].Should().Be(3);
    }

    [Fact]
    public async Task Query_SameIdTwice_SecondNotForwarded()
    {
        var a = _mesh.Add("a", identity: _alice);
        var b = _mesh.Add("b");
        var c = _mesh.Add("c");
        MemoryMesh.Link(a, b);
        MemoryMesh.Link(b, c);
        a.Publish(RandomNumberGenerator.GetBytes(1000), "once");
        var q = Query("once", hops: 1);

        var first = await All(new MemoryPeer(c, b), q);
        var second = await All(new MemoryPeer(c, b), q);

        first.Count(e => e.BodyCase == Envelope.BodyOneofCase.UrnFound).Should().Be(1);
        second.Should().ContainSingle().Which.UrnQueryDone.Found.Should().Be(0);
    }

    private static Envelope Query(string name, uint hops) => new()
    {
        UrnQuery = new UrnQuery { QueryId = Google.Protobuf.ByteString.CopyFrom(RandomNumberGenerator.GetBytes(16)), Name = name, Hops = hops },
    };

    private static async Task<List<Envelope>> All(IPhoenixPeer peer, Envelope request)
    {
        var list = new List<Envelope>();
        await foreach (var e in peer.RequestManyAsync(request, QueryResponder.IsQueryEnd, CancellationToken.None))
        {
            list.Add(e);
        }

        return list;
    }
}
