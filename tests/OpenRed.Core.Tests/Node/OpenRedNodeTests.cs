using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Tests.Storage;

namespace OpenRed.Core.Tests.Node;

public sealed class OpenRedNodeTests
{
    private static NodeOptions Options(string dataDir, string nodeId = "alice") => new()
    {
        NodeId = nodeId,
        Sector = "family",
        DataDirectory = dataDir,
        Port = 0,
        ListenAddress = IPAddress.Loopback,
        LighthouseEnabled = false,
    };

    [Fact]
    public async Task Start_CreatesDataDirectory_Status_ReportsActualPortAndUptime()
    {
        using var tmp = new TempDir();
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

        await using var node = await OpenRedNode.StartAsync(Options(tmp.Sub("n")), NullLoggerFactory.Instance, time, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(42));
        var s = node.GetStatus();

        s.NodeId.Should().Be("alice");
        s.Sector.Should().Be("family");
        s.Port.Should().BeGreaterThan(0).And.Be(node.ListenEndPoint.Port);
        s.Fingerprint.Should().Be(node.Fingerprint);
        s.DataDirectory.Should().Be(tmp.Sub("n"));
        s.StartedAt.Should().Be(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        s.Uptime.Should().Be(TimeSpan.FromSeconds(42));
        (s.Sessions, s.Peers, s.Links).Should().Be((0, 0, 0));
        File.Exists(node.DataDirectory.KeyFile).Should().BeTrue();
        File.Exists(node.DataDirectory.Database).Should().BeTrue();
    }

    [Fact]
    public async Task Restart_SameDirectory_SameFingerprint()
    {
        using var tmp = new TempDir();
        OpenRed.Core.Identity.Fingerprint first;
        await using (var node = await OpenRedNode.StartAsync(Options(tmp.Sub("n")), NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None))
        {
            first = node.Fingerprint;
        }

        await using var again = await OpenRedNode.StartAsync(Options(tmp.Sub("n")), NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);

        again.Fingerprint.Should().Be(first);
    }

    [Fact]
    public async Task Start_SecondNodeOnSameDirectory_Locked()
    {
        using var tmp = new TempDir();
        await using var node = await OpenRedNode.StartAsync(Options(tmp.Sub("n")), NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);

        var act = () => OpenRedNode.StartAsync(Options(tmp.Sub("n"), "bob"), NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);

        (await act.Should().ThrowAsync<NodeStartException>()).Which.Failure.Should().Be(NodeStartFailure.Locked);
    }

    [Fact]
    public async Task Start_PortInUse_Throws_ReleasesLock()
    {
        using var tmp = new TempDir();
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;

        var act = () => OpenRedNode.StartAsync(Options(tmp.Sub("n")) with { Port = port }, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);

        (await act.Should().ThrowAsync<NodeStartException>()).Which.Failure.Should().Be(NodeStartFailure.PortInUse);
        await using var node = await OpenRedNode.StartAsync(Options(tmp.Sub("n")), NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
    }

    [Fact]
    public async Task Start_CorruptKey_ThrowsKeyFile_FileUnchanged()
    {
        using var tmp = new TempDir();
        tmp.CreateSub("n");
        var key = Path.Combine(tmp.Sub("n"), "identity.pem");
        await File.WriteAllTextAsync(key, "junk");

        var act = () => OpenRedNode.StartAsync(Options(tmp.Sub("n")), NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);

        (await act.Should().ThrowAsync<NodeStartException>())
            .Where(e => e.Failure == NodeStartFailure.KeyFile && e.Message.Contains(key, StringComparison.Ordinal));
        (await File.ReadAllTextAsync(key)).Should().Be("junk");
    }

    [Fact]
    public async Task InboundConnection_IsAcceptedAndClosed_UntilHandshakeExists()
    {
        using var tmp = new TempDir();
        await using var node = await OpenRedNode.StartAsync(Options(tmp.Sub("n")), NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, node.Port);

        var read = await client.GetStream().ReadAsync(new byte[1]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        read.Should().Be(0);
    }

    [Fact]
    public async Task Dispose_ReleasesPortAndLock()
    {
        using var tmp = new TempDir();
        var node = await OpenRedNode.StartAsync(Options(tmp.Sub("n")), NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
        var port = node.Port;

        await node.DisposeAsync();
        await node.DisposeAsync();

        await using var again = await OpenRedNode.StartAsync(Options(tmp.Sub("n")) with { Port = port }, NullLoggerFactory.Instance, TimeProvider.System, CancellationToken.None);
        again.Port.Should().Be(port);
    }
}
