using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenRed.Cli.Control;
using OpenRed.Core.Identity;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Node;

namespace OpenRed.IntegrationTests.Control;

/// <summary>The event stream's pump: a reader that does not keep up is dropped, and the node never waits for it.</summary>
public sealed class EventStreamTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ReaderBehindByMoreThanItsBuffer_IsDropped_PublisherNeverWaits()
    {
        var events = new NodeEvents();
        using var subscription = events.Subscribe(capacity: 8);
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pump = EventStream.PumpAsync(
            subscription,
            "general",
            async (_, cancellationToken) =>
            {
                blocked.TrySetResult();
                await release.Task.WaitAsync(cancellationToken);
            },
            TimeSpan.FromMinutes(5),
            TimeProvider.System,
            CancellationToken.None);

        events.Publish(Heard(0));
        await blocked.Task.WaitAsync(Wait);
        for (var i = 1; i <= 100; i++)
        {
            events.Publish(Heard(i));
        }

        release.SetResult();
        (await pump.WaitAsync(Wait)).Should().Be(EventStreamEnd.TooSlow);
        subscription.Dropped.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task ReaderThatTakesNoEventWithinTheTimeout_IsDropped()
    {
        var time = new FakeTimeProvider();
        var events = new NodeEvents();
        using var subscription = events.Subscribe(capacity: 8);
        var writing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pump = EventStream.PumpAsync(
            subscription,
            "general",
            async (_, cancellationToken) =>
            {
                writing.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            },
            TimeSpan.FromSeconds(10),
            time,
            CancellationToken.None);

        events.Publish(Heard(0));
        await writing.Task.WaitAsync(Wait);
        time.Advance(TimeSpan.FromSeconds(10));

        (await pump.WaitAsync(Wait)).Should().Be(EventStreamEnd.TooSlow);
    }

    [Fact]
    public async Task NodeStops_StreamEnds()
    {
        var events = new NodeEvents();
        using var subscription = events.Subscribe(capacity: 8);
        var frames = new List<string>();
        var pump = EventStream.PumpAsync(
            subscription, "general", (f, _) => { frames.Add(f); return Task.CompletedTask; }, Wait, TimeProvider.System, CancellationToken.None);

        events.Publish(Heard(1));
        events.Complete();

        (await pump.WaitAsync(Wait)).Should().Be(EventStreamEnd.NodeStopped);
        frames.Should().ContainSingle().Which.Should().StartWith("event: peer_heard\ndata: {\"type\":\"peer_heard\",").And.EndWith("}\n\n");
        frames[0].Should().Contain("\"text\":\"+ peer n1 (").And.Contain("\"sector\":\"general\"");
    }

    private static PeerHeardEvent Heard(int i) => new(
        DateTimeOffset.UnixEpoch,
        new ConstellationPeer(
            Fingerprint.Of([(byte)i]), $"n{i}", "general", new IPEndPoint(IPAddress.Loopback, 8000 + i), LighthousePeerState.Unverified,
            SameSector: true, FirstSeen: null, LastHeard: null, Sources: ["lighthouse"]));
}
