using System.Text;
using System.Text.Json;
using OpenRed.Cli.Rendering;
using OpenRed.Cli.Repl;
using OpenRed.Core.Node;

namespace OpenRed.Cli.Control;

/// <summary>How an event stream ended.</summary>
internal enum EventStreamEnd
{
    /// <summary>The node stopped: its events completed.</summary>
    NodeStopped,

    /// <summary>The reader fell behind by more than its buffer, or did not take one event in time: it is dropped.</summary>
    TooSlow,
}

/// <summary>
/// Node events as server-sent events: one <c>event:</c>/<c>data:</c> frame each. Each reader has its own bounded
/// subscription, so a reader that does not keep up loses events rather than slowing the node; this pump then
/// drops the reader, which reconnects if it wants a fresh start.
/// </summary>
internal static class EventStream
{
    /// <summary>The comment sent first: the subscription exists, nothing after this is missed.</summary>
    public const string Subscribed = ": subscribed\n\n";

    public static async Task<EventStreamEnd> PumpAsync(
        NodeEventSubscription events,
        string ownSector,
        Func<string, CancellationToken, Task> write,
        TimeSpan writeTimeout,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        while (await events.Reader.WaitToReadAsync(cancellationToken))
        {
            while (events.Reader.TryRead(out var e))
            {
                if (events.Dropped > 0)
                {
                    return EventStreamEnd.TooSlow;
                }

                using var deadline = new CancellationTokenSource(writeTimeout, time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
                try
                {
                    await write(Frame(e, ownSector), linked.Token);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    return EventStreamEnd.TooSlow;
                }
            }
        }

        return EventStreamEnd.NodeStopped;
    }

    public static string Frame(NodeEvent e, string ownSector)
    {
        var json = Json(e, ownSector);
        return new StringBuilder()
            .Append("event: ").Append(json.Type).Append('\n')
            .Append("data: ").Append(JsonSerializer.Serialize(json, ControlJson.Options)).Append("\n\n")
            .ToString();
    }

    public static EventJson Json(NodeEvent e, string ownSector)
    {
        var type = JsonNamingPolicy.SnakeCaseLower.ConvertName(e.GetType().Name.EndsWith("Event", StringComparison.Ordinal)
            ? e.GetType().Name[..^"Event".Length]
            : e.GetType().Name);
        var at = e.At.ToUnixTimeMilliseconds();
        var text = NodeEventPrinter.Line(e, ownSector);
        return e switch
        {
            PeerHeardEvent h => new EventJson(type, at, text, h.Peer.NodeId, h.Peer.Fingerprint.Hex, h.Peer.Sector,
                PeerText.Endpoint(h.Peer.Address)),
            PeerLostEvent l => new EventJson(type, at, text, l.Peer.NodeId, l.Peer.Fingerprint.Hex, l.Peer.Sector,
                PeerText.Endpoint(l.Peer.Address), Reason: JsonNamingPolicy.SnakeCaseLower.ConvertName(l.Why.ToString())),
            SessionOpenedEvent o => new EventJson(type, at, text, o.Session.NodeId, o.Session.Fingerprint.Hex, o.Session.Sector,
                Address(o.Session), PeerText.Direction(o.Session.Direction)),
            SessionClosedEvent c => new EventJson(type, at, text, c.Session.NodeId, c.Session.Fingerprint.Hex, c.Session.Sector,
                Address(c.Session), PeerText.Direction(c.Session.Direction), c.Reason),
            ImpersonationEvent i => new EventJson(type, at, text, i.Warning.NodeId, i.Warning.NewFingerprint.Hex),
            // Who the social events are about: the dashboard refetches that one conversation or friend.
            FriendRequestReceivedEvent r => new EventJson(type, at, text, r.NodeId, r.Fingerprint.Hex),
            FriendResponseReceivedEvent r => new EventJson(type, at, text, r.NodeId, r.Fingerprint.Hex),
            ChatMessageReceivedEvent m => new EventJson(type, at, text, m.NodeId, m.Fingerprint.Hex),
            ChatDeliveredEvent d => new EventJson(type, at, text, Fingerprint: d.Fingerprint.Hex),
            _ => new EventJson(type, at, text),
        };
    }

    private static string Address(SessionInfo s)
    {
        var (address, port) = PeerText.ListenAddress(s);
        return PeerText.Endpoint(address, port);
    }
}
