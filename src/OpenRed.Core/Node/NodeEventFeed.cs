using System.Collections.Concurrent;
using OpenRed.Core.Identity;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Mesh;

namespace OpenRed.Core.Node;

/// <summary>
/// Turns what the lighthouse and the mesh report into <see cref="NodeEvent"/>s. It runs on their threads, so it
/// only builds a record and offers it to the subscribers' channels.
/// </summary>
internal static class NodeEventFeed
{
    public static void Connect(OpenRedNode node, NodeEvents events, ConcurrentDictionary<Fingerprint, ImpersonationWarning> impersonations)
    {
        var time = node.Time;
        node.PeerMap.PeerDiscovered += (_, e) =>
            events.Publish(new PeerHeardEvent(time.GetUtcNow(), ConstellationBuilder.Peer(e.Peer, node.Sector, ["lighthouse"])));
        node.PeerMap.PeerLost += (_, e) =>
        {
            var why = e.Change switch
            {
                PeerChange.Goodbye => PeerLossReason.Goodbye,
                PeerChange.Evicted => PeerLossReason.Evicted,
                _ => PeerLossReason.Silent,
            };
            events.Publish(new PeerLostEvent(time.GetUtcNow(), ConstellationBuilder.Peer(e.Peer, node.Sector, ["lighthouse"]), why, e.Detail ?? ""));
        };
        node.Mesh.ImpersonationSuspected += w =>
        {
            impersonations[w.NewFingerprint] = w;
            events.Publish(new ImpersonationEvent(time.GetUtcNow(), w));
        };
        node.Mesh.SessionOpened += s => events.Publish(new SessionOpenedEvent(time.GetUtcNow(), node.Describe(s)));
        node.Mesh.SessionClosed += s =>
        {
            var info = s.CloseInfo;
            var end = info is null ? SessionEnd.Lost : GoodbyeReason.Classify(info);
            events.Publish(new SessionClosedEvent(time.GetUtcNow(), node.Describe(s), end, Describe(info)));
        };
    }

    private static string Describe(Security.SessionCloseInfo? info) => info?.Kind switch
    {
        Security.SessionCloseKind.Local => info.Reason,
        Security.SessionCloseKind.PeerGoodbye => "peer said goodbye" + (string.IsNullOrEmpty(info.Reason) ? "" : $" ({info.Reason})"),
        Security.SessionCloseKind.ConnectionLost => "connection lost",
        Security.SessionCloseKind.IdleTimeout => "nothing received for too long",
        Security.SessionCloseKind.SendStalled => "peer stopped reading",
        Security.SessionCloseKind.Violation => "protocol violation: " + info.Reason,
        _ => "closed",
    };
}
