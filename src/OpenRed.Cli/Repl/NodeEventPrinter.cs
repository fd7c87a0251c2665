using OpenRed.Cli.Rendering;
using OpenRed.Core;
using OpenRed.Core.Node;
using OpenRed.Core.Text;

namespace OpenRed.Cli.Repl;

/// <summary>
/// For a person at the prompt: prints what happens in the constellation above the line being typed. Used only when
/// stdin is a terminal; scripts parse stdout and read the same facts from the <c>--json</c> commands. It reads the
/// node's events on its own task, so a slow terminal never holds a socket or beacon loop.
/// </summary>
internal sealed class NodeEventPrinter : IAsyncDisposable
{
    private readonly NodeEventSubscription _events;
    private readonly ILineReader _reader;
    private readonly string _sector;
    private readonly Task _loop;

    public NodeEventPrinter(OpenRedNode node, ILineReader reader)
    {
        _reader = reader;
        _sector = node.Sector;
        _events = node.SubscribeEvents();
        _loop = PrintAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _events.Dispose();
        await _loop;
    }

    internal static string? Line(NodeEvent e, string ownSector) => e switch
    {
        PeerHeardEvent h => PeerHeard(h.Peer, ownSector),
        PeerLostEvent l => PeerLost(l, l.At),
        SessionOpenedEvent o => SessionOpened(o.Session),
        SessionClosedEvent c => $"- session with {PeerText.Name(c.Session.NodeId, c.Session.Fingerprint)} closed: {c.Reason}",
        ImpersonationEvent i => Impersonation(i.Warning),
        FriendRequestReceivedEvent f => $"+ friend request from {PeerText.Name(f.NodeId, f.Fingerprint)}"
            + (f.Message.Length > 0 ? $": {f.Message}" : "") + " ('friend accept' or 'friend decline')",
        FriendResponseReceivedEvent f => $"+ {PeerText.Name(f.NodeId, f.Fingerprint)} " + (f.Accepted ? "accepted: you are friends" : "declined your friend request"),
        ChatMessageReceivedEvent m => $"> {PeerText.Name(m.NodeId, m.Fingerprint)}: {m.Text}",
        _ => null,
    };

    internal static string PeerHeard(ConstellationPeer p, string ownSector) =>
        $"+ peer {PeerText.Name(p.NodeId, p.Fingerprint)} heard at {PeerText.Endpoint(p.Address)}, sector {p.Sector}"
        + (p.Sector == ownSector ? "" : " (other sector)");

    internal static string PeerLost(PeerLostEvent e, DateTimeOffset now) =>
        $"- peer {PeerText.Name(e.Peer.NodeId, e.Peer.Fingerprint)} lost: " + e.Why switch
        {
            PeerLossReason.Goodbye => "said goodbye",
            PeerLossReason.Silent when e.Peer.LastHeard is { } heard => "no beacon for " + PeerText.Duration(now - heard),
            PeerLossReason.Evicted => "evicted: " + (e.Detail.Length > 0 ? e.Detail : "a limit of the peer map"),
            _ => "no beacon",
        };

    internal static string SessionOpened(SessionInfo s)
    {
        var (address, port) = PeerText.ListenAddress(s);
        return $"+ session with {PeerText.Name(s.NodeId, s.Fingerprint)} opened, {PeerText.Direction(s.Direction)}, {PeerText.Endpoint(address, port)}";
    }

    internal static string Impersonation(Core.Mesh.ImpersonationWarning w) =>
        $"! POSSIBLE IMPERSONATION: node-id {w.NodeId} arrived with fingerprint {w.NewFingerprint.Short}, "
        + $"linked before to {string.Join(", ", w.KnownFingerprints.Select(f => f.Short))}";

    private async Task PrintAsync()
    {
        await Task.Yield();
        try
        {
            await foreach (var e in _events.Reader.ReadAllAsync())
            {
                if (Line(e, _sector) is { } line)
                {
                    // Every line carries peer text (node-ids, sectors, goodbye reasons): nothing in it may act on the terminal.
                    _reader.WriteAbove(VisibleText.Escape(line));
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The terminal is gone; the log has the facts.
        }
    }
}
