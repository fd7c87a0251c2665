using System.Security.Cryptography;
using OpenRed.Core.Phoenix;
using OpenRed.Core.Phoenix.Internal;

namespace OpenRed.Core.Tests.Phoenix;

/// <summary>
/// The two passes of a publication (store, then verify) over a file that is written to between them: the hook runs
/// after a chunk of the first pass is stored, so the change lands during the publish on every run.
/// </summary>
public sealed class PublishSourceTests : IDisposable
{
    private const int Size = 700_000; // three chunks
    private readonly MemoryMesh _mesh = new();

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public async Task Publish_ChunkRewrittenAfterItWasStored_HashMismatch_Refused()
    {
        var node = _mesh.Add("a");
        var path = Source();
        var calls = 0;

        var act = () => SourceFile.PublishAsync(path, node.Parts.Store, (index, _) =>
        {
            calls++;
            if (index == 1)
            {
                // Same length, one byte of the chunk already hashed and stored: only the hashes can tell.
                using var f = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
                f.Seek(10, SeekOrigin.Begin);
                f.WriteByte((byte)(File.ReadAllBytes(path)[10] ^ 0xFF));
            }

            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        var e = (await act.Should().ThrowAsync<PhoenixException>()).Which;
        e.Failure.Should().Be(PhoenixFailure.SourceChanged);
        e.Message.Should().Contain("changed while it was published (hash mismatch)").And.Contain("nothing was published");
        calls.Should().Be(3, "the first pass read the whole file before the second caught the change");
    }

    [Fact]
    public async Task Publish_FileGrowsWhileRead_Refused_NamingBothSizes()
    {
        var node = _mesh.Add("a");
        var path = Source();

        var act = () => SourceFile.PublishAsync(path, node.Parts.Store, async (index, ct) =>
        {
            if (index == 0)
            {
                await using var f = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
                await f.WriteAsync(new byte[1000], ct);
            }
        }, CancellationToken.None);

        var e = (await act.Should().ThrowAsync<PhoenixException>()).Which;
        e.Failure.Should().Be(PhoenixFailure.SourceChanged);
        e.Message.Should().Contain($"({Size} bytes, then {Size + 1000})");
    }

    [Fact]
    public async Task Publish_UnchangedFile_HashesEveryChunk()
    {
        var node = _mesh.Add("a");
        var path = Source();

        var (hashes, size) = await SourceFile.PublishAsync(path, node.Parts.Store, null, CancellationToken.None);

        size.Should().Be(Size);
        hashes.Should().HaveCount(3);
        hashes[0].Should().Equal(SHA256.HashData(File.ReadAllBytes(path).AsSpan(0, UrnRecords.ChunkSize)));
    }

    private string Source()
    {
        var path = Path.Combine(_mesh.Dir.Sub("src"), "source.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(Size));
        return path;
    }
}
