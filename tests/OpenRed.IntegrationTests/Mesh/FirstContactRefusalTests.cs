using OpenRed.Core.Mesh;

namespace OpenRed.IntegrationTests.Mesh;

/// <summary>Issue 14 (first contact): a connect loop that meets the responder's rate limit is told what happened.</summary>
public sealed class FirstContactRefusalTests(MeshKeys keys) : IClassFixture<MeshKeys>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Connect_RefusedByRateLimit_SaysThePeerMayBeRefusing()
    {
        // One connection an hour from an address, burst 1: the second connect is refused before any cryptography.
        var options = new MeshOptions { InboundPerAddressRate = 1.0 / 3600, InboundPerAddressBurst = 1 };
        await using var responder = MeshHarness.Start(keys.High, "responder", options: options);
        await using var dialer = MeshHarness.Start(keys.Low, "dialer");

        var first = await dialer.Mesh.ConnectAsync(responder.Endpoint, keys.High.Fingerprint, CancellationToken.None).WaitAsync(Wait);
        await dialer.Mesh.DisconnectAsync(first, GoodbyeReason.ByUser, CancellationToken.None).WaitAsync(Wait);

        var second = () => dialer.Mesh.ConnectAsync(responder.Endpoint, keys.High.Fingerprint, CancellationToken.None).WaitAsync(Wait);

        var e = (await second.Should().ThrowAsync<ConnectException>()).Which;
        e.Message.Should().Contain("the peer closed the connection during the handshake")
            .And.Contain("it may be refusing connections (rate limit or full)");
        responder.Mesh.Counters.ConnectionsRefused.Should().Be(1);
    }
}
