using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core;
using OpenRed.Core.Mesh;
using OpenRed.IntegrationTests.Cli;

namespace OpenRed.IntegrationTests.Mesh;

/// <summary>Issue 14: link writes leave the accept path for a background writer, and are on disk before they are shown.</summary>
public sealed class LinkWriterTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task InboundSession_LinkWrittenInTheBackground_WithoutAnyReader()
    {
        using var tmp = new TempDirectory();
        await using var a = await Start(tmp, "alice");
        await using var b = await Start(tmp, "bob");
        var opened = new TaskCompletionSource<PeerSession>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Mesh.SessionOpened += s => opened.TrySetResult(s);

        await a.ConnectAsync("127.0.0.1", b.Port, b.Fingerprint, CancellationToken.None);
        await opened.Task.WaitAsync(Wait);

        // Read straight from the table, not through GetLinks (which flushes): the writer alone must get it there.
        var until = DateTime.UtcNow + Wait;
        while (b.Links.Count() == 0)
        {
            DateTime.UtcNow.Should().BeBefore(until, "the background writer stores the link");
            await Task.Delay(10);
        }

        b.Links.All().Should().ContainSingle().Which.NodeId.Should().Be("alice");
    }

    [Fact]
    public async Task Connect_ReturnsWithTheLinkOnDisk_AndGetLinksShowsEveryQueuedWrite()
    {
        using var tmp = new TempDirectory();
        await using var a = await Start(tmp, "alice");
        await using var b = await Start(tmp, "bob");

        var session = await a.ConnectAsync("127.0.0.1", b.Port, b.Fingerprint, CancellationToken.None);

        a.Links.All().Should().ContainSingle().Which.Fingerprint.Should().Be(b.Fingerprint);
        var before = a.GetLinks().Single().LastSeen;
        await a.DisconnectAsync(session.Fingerprint, CancellationToken.None);
        a.GetLinks().Single().LastSeen.Should().BeOnOrAfter(before, "the close's touch is written before links are shown");
        a.GetStatus().Links.Should().Be(1);
    }

    private static Task<OpenRedNode> Start(TempDirectory tmp, string nodeId) =>
        OpenRedNode.StartAsync(
            new NodeOptions
            {
                NodeId = nodeId,
                DataDirectory = Path.Combine(tmp.Path, nodeId),
                Port = 0,
                ListenAddress = IPAddress.Loopback,
                LighthouseEnabled = false,
            },
            NullLoggerFactory.Instance,
            TimeProvider.System,
            CancellationToken.None);
}
