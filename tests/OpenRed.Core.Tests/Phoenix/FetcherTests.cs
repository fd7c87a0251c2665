using System.Security.Cryptography;
using Google.Protobuf;
using OpenRed.Core.Identity;
using OpenRed.Core.Phoenix;
using OpenRed.Core.Phoenix.Internal;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Tests.Phoenix;

/// <summary>Fetcher scheduling: load spread over holders, a slow holder, a lying holder.</summary>
public sealed class FetcherTests : IDisposable
{
    private readonly MemoryMesh _mesh = new();
    private readonly NodeIdentity _alice = NodeIdentity.FromPem(File.ReadAllText(TestData.Path("vectors/responder.pem")));

    public void Dispose()
    {
        _mesh.Dispose();
        _alice.Dispose();
    }

    [Fact]
    public async Task Fetch_ThreeHolders_EveryHolderCarriesChunks()
    {
        var (info, holders, sink) = Setup(3, 24);

        var sources = holders.Select(h => Source(sink, h)).ToList();
        await sink.Parts.Resolver.FetchAsync(info, sources, CancellationToken.None);

        sink.Parts.Resolver.Verify(info).Should().AllSatisfy(h => h.Should().BeTrue());
        foreach (var h in holders)
        {
            h.Counters.ChunksServed.Should().BeGreaterThan(0, $"{h.SelfNodeId} must share the load");
        }
    }

    [Fact]
    public async Task Fetch_SlowHolder_FastOneCarriesMost()
    {
        var (info, holders, sink) = Setup(2, 16);
        var slow = new DelayedSource(Source(sink, holders[0]), TimeSpan.FromMilliseconds(400));
        var fast = Source(sink, holders[1]);

        await using var fetcher = new Fetcher(info, new bool[info.ChunkCount], sink.Parts.Store, sink.Options, TimeProvider.System, sink.Counters, null, CancellationToken.None);
        fetcher.AddSource(slow);
        fetcher.AddSource(fast);
        fetcher.NoMoreSources();
        await fetcher.WhenCompleteAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        var byHolder = fetcher.Contributors.ToDictionary(c => c.Fingerprint, c => c.Chunks);
        byHolder[holders[1].Self].Should().BeGreaterThan(byHolder.GetValueOrDefault(holders[0].Self));
        sink.Parts.Resolver.Verify(info).Should().AllSatisfy(h => h.Should().BeTrue());
    }

    [Fact]
    public async Task Fetch_LyingHolder_DetectedAvoidedAndCounted_ChunksFromHonestOne()
    {
        var (info, holders, sink) = Setup(2, 12);
        holders[0].TamperChunks = e =>
        {
            if (e.BodyCase == Envelope.BodyOneofCase.ChunkData)
            {
                var bytes = e.ChunkData.Data.ToByteArray();
                bytes[0] ^= 0xff;
                e.ChunkData.Data = ByteString.CopyFrom(bytes);
            }

            return e;
        };

        await using var fetcher = new Fetcher(info, new bool[info.ChunkCount], sink.Parts.Store, sink.Options, TimeProvider.System, sink.Counters, null, CancellationToken.None);
        fetcher.AddSource(Source(sink, holders[0]));
        fetcher.AddSource(Source(sink, holders[1]));
        fetcher.NoMoreSources();
        await fetcher.WhenCompleteAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        fetcher.BadHolders.Should().Equal(holders[0].Self);
        fetcher.Contributors.Should().ContainSingle().Which.Fingerprint.Should().Be(holders[1].Self);
        sink.Counters.Refused[Refusal.BadChunk].Should().BeInRange(1, sink.Options.RequestsPerHolder, "after its first bad chunk, only requests already out are answered");
        sink.Parts.Resolver.Verify(info).Should().AllSatisfy(h => h.Should().BeTrue());
    }

    [Fact]
    public async Task Fetch_OnlyLyingHolder_FailsNamingIt()
    {
        var (info, holders, sink) = Setup(1, 2);
        holders[0].TamperChunks = e =>
        {
            e.ChunkData.Data = ByteString.CopyFrom(new byte[e.ChunkData.Data.Length]);
            return e;
        };

        var act = () => sink.Parts.Resolver.FetchAsync(info, [Source(sink, holders[0])], CancellationToken.None);

        (await act.Should().ThrowAsync<PhoenixException>()).Which.Message.Should().Contain("bad chunks");
    }

    [Fact]
    public async Task Fetch_OneHolder_RequestsOutstandingReachTheLimit_NeverMore()
    {
        var (info, holders, sink) = Setup(1, 40);
        var counting = new CountingSource(Source(sink, holders[0]), TimeSpan.FromMilliseconds(30));

        await using var fetcher = new Fetcher(info, new bool[info.ChunkCount], sink.Parts.Store, sink.Options, TimeProvider.System, sink.Counters, null, CancellationToken.None);
        fetcher.AddSource(counting);
        fetcher.NoMoreSources();
        await fetcher.WhenCompleteAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        counting.MaxOutstanding.Should().Be(sink.Options.RequestsPerHolder);
        sink.Parts.Resolver.Verify(info).Should().AllSatisfy(h => h.Should().BeTrue());
    }

    [Fact]
    public async Task Fetch_StoreCannotWrite_FailsAsFileError_NothingCountedHeld()
    {
        var (info, holders, sink) = Setup(1, 4);
        var temp = Path.Combine(sink.DataDir, "chunks", "tmp");
        Directory.Delete(temp, recursive: true);
        await File.WriteAllTextAsync(temp, "not a directory");

        var act = () => sink.Parts.Resolver.FetchAsync(info, [Source(sink, holders[0])], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        (await act.Should().ThrowAsync<PhoenixException>()).Which.Failure.Should().Be(PhoenixFailure.File);
        sink.Parts.Index.Held(info).Should().AllSatisfy(h => h.Should().BeFalse());
    }

    private (RecordInfo Info, List<MemoryNode> Holders, MemoryNode Sink) Setup(int holderCount, int chunks)
    {
        var content = RandomNumberGenerator.GetBytes(chunks * UrnRecords.ChunkSize - 1000);
        var info = _mesh.Add("publisher", identity: _alice).Publish(content, "big");
        var holders = new List<MemoryNode>();
        for (var i = 0; i < holderCount; i++)
        {
            var h = _mesh.Add("h" + i);
            h.Hold(info, content);
            holders.Add(h);
        }

        var sink = _mesh.Add("sink");
        sink.Parts.Index.PutRecord(info, UrnRole.Cached, null, 1);
        return (info, holders, sink);
    }

    private static IChunkSource Source(MemoryNode sink, MemoryNode holder) =>
        new PeerChunkSource(holder.Self, holder.SelfNodeId, null, _ => Task.FromResult<IPhoenixPeer>(new MemoryPeer(sink, holder)));

    /// <summary>Counts the requests outstanding at once.</summary>
    private sealed class CountingSource(IChunkSource inner, TimeSpan delay) : IChunkSource
    {
        private int _outstanding;
        private int _max;

        public int MaxOutstanding => Volatile.Read(ref _max);

        public Fingerprint Fingerprint => inner.Fingerprint;

        public string NodeId => inner.NodeId;

        public bool[]? Have => inner.Have;

        public async Task<ReadOnlyMemory<byte>?> GetAsync(byte[] root, int index, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _outstanding);
            int seen;
            while ((seen = Volatile.Read(ref _max)) < now && Interlocked.CompareExchange(ref _max, now, seen) != seen)
            {
            }

            try
            {
                await Task.Delay(delay, cancellationToken);
                return await inner.GetAsync(root, index, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _outstanding);
            }
        }
    }

    private sealed class DelayedSource(IChunkSource inner, TimeSpan delay) : IChunkSource
    {
        public Fingerprint Fingerprint => inner.Fingerprint;

        public string NodeId => inner.NodeId;

        public bool[]? Have => inner.Have;

        public async Task<ReadOnlyMemory<byte>?> GetAsync(byte[] root, int index, CancellationToken cancellationToken)
        {
            await Task.Delay(delay, cancellationToken);
            return await inner.GetAsync(root, index, cancellationToken);
        }
    }
}
