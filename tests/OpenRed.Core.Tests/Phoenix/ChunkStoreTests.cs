using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Identity;
using OpenRed.Core.Phoenix;
using OpenRed.Core.Phoenix.Internal;

namespace OpenRed.Core.Tests.Phoenix;

public sealed class ChunkStoreTests : IDisposable
{
    private readonly MemoryMesh _mesh = new();

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public void Put_WritesContentAddressedFile_NoTemporaryLeft()
    {
        var node = _mesh.Add("a");
        var data = RandomNumberGenerator.GetBytes(1000);
        var hash = SHA256.HashData(data);

        node.Parts.Store.Put(hash, data).Should().BeTrue();

        var hex = Convert.ToHexStringLower(hash);
        File.ReadAllBytes(Path.Combine(node.DataDir, "chunks", hex[..2], hex)).Should().Equal(data);
        Directory.EnumerateFiles(Path.Combine(node.DataDir, "chunks", "tmp")).Should().BeEmpty();
        node.Parts.Store.Read(hash).Should().Equal(data);
    }

    [Fact]
    public void Adopt_FileOnDiskWithoutIndexRow_CheckedAndListed()
    {
        // What a kill -9 between the chunk writer's file and its index row leaves behind.
        var node = _mesh.Add("a");
        var (data, hash) = RandomChunk();
        WriteChunkFile(node.DataDir, hash, data);
        node.Parts.Store.Has(hash).Should().BeFalse();

        node.Parts.Store.Adopt(hash, data.Length).Should().BeTrue();

        node.Parts.Store.Has(hash).Should().BeTrue();
        node.Parts.Store.Read(hash).Should().Equal(data);
    }

    [Fact]
    public void Adopt_CorruptOrMissingFile_NotListed_CorruptDeleted()
    {
        var node = _mesh.Add("a");
        var (data, hash) = RandomChunk();
        node.Parts.Store.Adopt(hash, data.Length).Should().BeFalse();

        data[10] ^= 0xff;
        var path = WriteChunkFile(node.DataDir, hash, data);

        node.Parts.Store.Adopt(hash, data.Length).Should().BeFalse();

        node.Parts.Store.Has(hash).Should().BeFalse();
        node.Parts.Store.CorruptFound.Should().Be(1);
        File.Exists(path).Should().BeFalse();
    }

    [Fact]
    public void Put_DataNotMatchingHash_Refused()
    {
        var node = _mesh.Add("a");
        var data = RandomNumberGenerator.GetBytes(100);

        node.Parts.Store.Put(SHA256.HashData([1, 2, 3]), data).Should().BeFalse();
        node.Parts.Store.Bytes.Should().Be(0);
    }

    [Fact]
    public void Read_CorruptFile_DeletedCountedAndGone()
    {
        var node = _mesh.Add("a");
        var data = RandomNumberGenerator.GetBytes(1000);
        var hash = SHA256.HashData(data);
        node.Parts.Store.Put(hash, data);
        var hex = Convert.ToHexStringLower(hash);
        var path = Path.Combine(node.DataDir, "chunks", hex[..2], hex);
        data[10] ^= 0xff;
        File.WriteAllBytes(path, data);

        node.Parts.Store.Read(hash).Should().BeNull();

        node.Parts.Store.CorruptFound.Should().Be(1);
        File.Exists(path).Should().BeFalse();
        node.Parts.Store.Has(hash).Should().BeFalse();
    }

    [Theory]
    [InlineData("flipped")]
    [InlineData("longer")]
    [InlineData("shorter")]
    public void ReadPooled_CorruptFile_DeletedCountedAndGone(string damage)
    {
        var node = _mesh.Add("a");
        var data = RandomNumberGenerator.GetBytes(1000);
        var hash = SHA256.HashData(data);
        node.Parts.Store.Put(hash, data);
        var hex = Convert.ToHexStringLower(hash);
        var path = Path.Combine(node.DataDir, "chunks", hex[..2], hex);
        File.WriteAllBytes(path, damage switch
        {
            "flipped" => [.. data[..10], (byte)(data[10] ^ 0xff), .. data[11..]],
            "longer" => [.. data, 0],
            _ => data[..999],
        });

        node.Parts.Store.ReadPooled(hash, data.Length).Should().BeNull();

        node.Parts.Store.CorruptFound.Should().Be(1);
        File.Exists(path).Should().BeFalse();
        node.Parts.Store.Has(hash).Should().BeFalse();
    }

    [Fact]
    public void ReadPooled_GoodFile_BytesInPooledBuffer()
    {
        var node = _mesh.Add("a");
        var data = RandomNumberGenerator.GetBytes(1000);
        var hash = SHA256.HashData(data);
        node.Parts.Store.Put(hash, data);

        var buffer = node.Parts.Store.ReadPooled(hash, data.Length);

        buffer.Should().NotBeNull();
        buffer!.AsSpan(0, data.Length).ToArray().Should().Equal(data);
        System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        node.Parts.Store.ReadPooled(SHA256.HashData([1]), 1).Should().BeNull();
        node.Parts.Store.CorruptFound.Should().Be(0);
    }

    [Fact]
    public void PutVerified_Batch_FilesThenOneIndexEntryEach_SizeCounted()
    {
        var node = _mesh.Add("a");
        var chunks = Enumerable.Range(0, 5).Select(i => RandomNumberGenerator.GetBytes(100 + i)).ToList();
        var batch = chunks.Select((c, i) => new VerifiedChunk(i, SHA256.HashData(c), c)).ToList();

        // The same chunk twice in one batch (a record may repeat a chunk): stored and counted once.
        batch.Add(batch[0] with { Index = 5 });
        node.Parts.Store.PutVerified(batch);

        node.Parts.Store.Bytes.Should().Be(chunks.Sum(c => c.Length));
        foreach (var c in chunks)
        {
            node.Parts.Store.Has(SHA256.HashData(c)).Should().BeTrue();
            node.Parts.Store.Read(SHA256.HashData(c)).Should().Equal(c);
        }

        Directory.EnumerateFiles(Path.Combine(node.DataDir, "chunks", "tmp")).Should().BeEmpty();
    }

    [Fact]
    public void Restart_LeftoverTemporaryFileRemoved_IndexSurvives()
    {
        using var publisher = NodeIdentity.Generate();
        var node = _mesh.Add("a", identity: publisher);
        var info = node.Publish(RandomNumberGenerator.GetBytes(600_000), "keep_me");
        var tmp = Path.Combine(node.DataDir, "chunks", "tmp", "half-written");
        File.WriteAllBytes(tmp, [1, 2, 3]);

        node.Restart();

        File.Exists(tmp).Should().BeFalse();
        node.Parts.Index.Held(info).Should().AllSatisfy(h => h.Should().BeTrue());
        node.Parts.Store.Bytes.Should().Be(600_000);
        node.Parts.Index.Get(info.Root)!.Role.Should().Be(UrnRole.Published);
    }

    [Fact]
    public void Evict_OverCapacity_LeastRecentlyUsedUnpinnedFirst_PinnedKept()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        using var publisher = NodeIdentity.Generate();
        var node = _mesh.Add("a", PhoenixOptions.Default with { CacheSizeBytes = 3 * 1000 }, publisher, time);
        var pinned = node.Publish(RandomNumberGenerator.GetBytes(1000), "pinned");
        var chunks = Enumerable.Range(0, 3).Select(_ => RandomNumberGenerator.GetBytes(1000)).ToList();
        foreach (var c in chunks)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            node.Parts.Store.Put(SHA256.HashData(c), c);
        }

        // The oldest unpinned chunk went when the third arrived (4000 > 3000); reading the second makes the third the oldest.
        time.Advance(TimeSpan.FromSeconds(1));
        node.Parts.Store.Read(SHA256.HashData(chunks[1]));
        time.Advance(TimeSpan.FromSeconds(1));
        var extra = RandomNumberGenerator.GetBytes(1000);
        node.Parts.Store.Put(SHA256.HashData(extra), extra);

        node.Parts.Store.Has(pinned.Hash(0)).Should().BeTrue();
        node.Parts.Store.Has(SHA256.HashData(chunks[0])).Should().BeFalse();
        node.Parts.Store.Has(SHA256.HashData(chunks[1])).Should().BeTrue();
        node.Parts.Store.Has(SHA256.HashData(chunks[2])).Should().BeFalse();
        node.Parts.Store.Has(SHA256.HashData(extra)).Should().BeTrue();
        node.Parts.Store.Bytes.Should().BeLessThanOrEqualTo(3000);
        node.Parts.Store.Evicted.Should().Be(2);
    }

    [Fact]
    public void Evict_ProtectedFetch_NotEvicted()
    {
        using var publisher = NodeIdentity.Generate();
        var source = _mesh.Add("src", identity: publisher);
        var info = source.Publish(RandomNumberGenerator.GetBytes(2000), "busy");
        var node = _mesh.Add("a", PhoenixOptions.Default with { CacheSizeBytes = 1000 });
        node.Parts.Index.PutRecord(info, UrnRole.Cached, null, 1);

        using (node.Parts.Store.Protect(info))
        {
            node.Parts.Store.Put(info.Hash(0), source.Parts.Store.Read(info.Hash(0)));
            node.Parts.Store.Has(info.Hash(0)).Should().BeTrue();
        }

        node.Parts.Store.Evict();
        node.Parts.Store.Has(info.Hash(0)).Should().BeFalse();
    }

    private static (byte[] Data, byte[] Hash) RandomChunk()
    {
        var data = RandomNumberGenerator.GetBytes(1000);
        return (data, SHA256.HashData(data));
    }

    /// <summary>A chunk file where the store keeps it, with no index row: what a kill between the two leaves.</summary>
    private static string WriteChunkFile(string dataDir, byte[] hash, byte[] data)
    {
        var hex = Convert.ToHexStringLower(hash);
        var path = Path.Combine(dataDir, "chunks", hex[..2], hex);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data);
        return path;
    }
}
