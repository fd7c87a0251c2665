using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core.Storage;
using OpenRed.Core.Tests.Storage;

namespace OpenRed.Core.Tests.Node;

public sealed class OpenRedNodeSafetyTests
{
    private static NodeOptions Options(string dataDir) => new()
    {
        NodeId = "alice",
        Sector = "family",
        DataDirectory = dataDir,
        Port = 0,
        ListenAddress = IPAddress.Loopback,
        LighthouseEnabled = false,
    };

    [Fact]
    public async Task Start_MissingKeyBesideDatabase_ThrowsKeyFile_NoKeyCreated()
    {
        using var tmp = new TempDir();
        await (await Start(Options(tmp.Sub("n")))).DisposeAsync();
        var key = Path.Combine(tmp.Sub("n"), "identity.pem");
        File.Delete(key);

        var act = () => Start(Options(tmp.Sub("n")));

        (await act.Should().ThrowAsync<NodeStartException>()).Where(e =>
            e.Failure == NodeStartFailure.KeyFile && e.InnerException is StorageException && e.Message.Contains(key, StringComparison.Ordinal));
        File.Exists(key).Should().BeFalse();
    }

    [Fact]
    public async Task Start_MissingKeyBesideDatabase_AcceptNewIdentity_NewFingerprint()
    {
        using var tmp = new TempDir();
        var first = await Start(Options(tmp.Sub("n")));
        var old = first.Fingerprint;
        await first.DisposeAsync();
        File.Delete(Path.Combine(tmp.Sub("n"), "identity.pem"));

        await using var node = await Start(Options(tmp.Sub("n")) with { AcceptNewIdentity = true });

        node.Fingerprint.Should().NotBe(old);
    }

    [Fact]
    public async Task Start_EmptyDatabaseBesideKey_ThrowsDatabase_FileKept()
    {
        using var tmp = new TempDir();
        await (await Start(Options(tmp.Sub("n")))).DisposeAsync();
        var db = Path.Combine(tmp.Sub("n"), "openred.db");
        await File.WriteAllBytesAsync(db, []);

        var act = () => Start(Options(tmp.Sub("n")));

        (await act.Should().ThrowAsync<NodeStartException>()).Where(e =>
            e.Failure == NodeStartFailure.Database && e.Message.Contains(db, StringComparison.Ordinal));
        new FileInfo(db).Length.Should().Be(0);
    }

    [Fact]
    public async Task Start_DamagedDatabase_ThrowsDatabase()
    {
        using var tmp = new TempDir();
        await (await Start(Options(tmp.Sub("n")))).DisposeAsync();
        var db = Path.Combine(tmp.Sub("n"), "openred.db");
        NodeDatabaseSafetyTests.DamageLinksPage(db);

        var act = () => Start(Options(tmp.Sub("n")));

        (await act.Should().ThrowAsync<NodeStartException>()).Where(e =>
            e.Failure == NodeStartFailure.Database && e.Message.Contains(db, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restart_WithFallbackLabels_UsesRememberedNodeIdAndSector()
    {
        using var tmp = new TempDir();
        await (await Start(Options(tmp.Sub("n")))).DisposeAsync();

        await using var node = await Start(Options(tmp.Sub("n")) with
        {
            NodeId = "host",
            NodeIdIsFallback = true,
            Sector = "general",
            SectorIsFallback = true,
        });

        (node.NodeId, node.Sector).Should().Be(("alice", "family"));
        (node.GetStatus().NodeId, node.GetStatus().Sector).Should().Be(("alice", "family"));
    }

    private static Task<OpenRedNode> Start(NodeOptions options) =>
        OpenRedNode.StartAsync(options, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
}
