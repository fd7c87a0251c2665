using OpenRed.Cli.Rendering;
using OpenRed.Core;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Mesh;
using OpenRed.Core.Security;
using OpenRed.Core.Text;

namespace OpenRed.Cli.Repl;

/// <summary>
/// For a person at the prompt: prints what happens in the constellation above the line being typed. Used only when
/// stdin is a terminal; scripts parse stdout and read the same facts from the <c>--json</c> commands.
/// </summary>
internal sealed class NodeEventPrinter : IDisposable
{
    private readonly OpenRedNode _node;
    private readonly ILineReader _reader;

    public NodeEventPrinter(OpenRedNode node, ILineReader reader)
    {
        _node = node;
        _reader = reader;
        node.PeerMap.PeerDiscovered += OnPeerDiscovered;
        node.PeerMap.PeerLost += OnPeerLost;
        node.Mesh.SessionOpened += OnSessionOpened;
        node.Mesh.SessionClosed += OnSessionClosed;
        node.Mesh.ImpersonationSuspected += OnImpersonation;
    }

    public void Dispose()
    {
        _node.PeerMap.PeerDiscovered -= OnPeerDiscovered;
        _node.PeerMap.PeerLost -= OnPeerLost;
        _node.Mesh.SessionOpened -= OnSessionOpened;
        _node.Mesh.SessionClosed -= OnSessionClosed;
        _node.Mesh.ImpersonationSuspected -= OnImpersonation;
    }

    internal static string PeerDiscovered(LighthousePeer p, string ownSector) =>
        $"+ peer {PeerText.Name(p.NodeId, p.Fingerprint)} heard at {PeerText.Endpoint(p.Address)}, sector {p.Sector}"
        + (p.Sector == ownSector ? "" : " (other sector)");

    internal static string PeerLost(LighthousePeer p, PeerChange why, DateTimeOffset now) =>
        $"- peer {PeerText.Name(p.NodeId, p.Fingerprint)} lost: " + why switch
        {
            PeerChange.Goodbye => "said goodbye",
            PeerChange.Expired => "no beacon for " + PeerText.Duration(now - p.LastHeard),
            PeerChange.Evicted => "evicted, the peer map is full",
            _ => why.ToString().ToLowerInvariant(),
        };

    internal static string SessionOpened(PeerSession s)
    {
        var (address, port) = PeerText.ListenAddress(s);
        return $"+ session with {PeerText.Name(s.Peer.NodeId, s.Fingerprint)} opened, {PeerText.Direction(s.Direction)}, {PeerText.Endpoint(address, port)}";
    }

    internal static string SessionClosed(PeerSession s)
    {
        var info = s.Secure.CloseInfo;
        var why = info?.Kind switch
        {
            SessionCloseKind.Local => info.Reason,
            SessionCloseKind.PeerGoodbye => "peer said goodbye" + (string.IsNullOrEmpty(info.Reason) ? "" : $" ({info.Reason})"),
            SessionCloseKind.ConnectionLost => "connection lost",
            SessionCloseKind.IdleTimeout => "nothing received for too long",
            SessionCloseKind.SendStalled => "peer stopped reading",
            SessionCloseKind.Violation => "protocol violation: " + info.Reason,
            _ => "closed",
        };
        return $"- session with {PeerText.Name(s.Peer.NodeId, s.Fingerprint)} closed: {why}";
    }

    internal static string Impersonation(ImpersonationWarning w) =>
        $"! POSSIBLE IMPERSONATION: node-id {w.NodeId} arrived with fingerprint {w.NewFingerprint.Short}, "
        + $"linked before to {string.Join(", ", w.KnownFingerprints.Select(f => f.Short))}";

    private void OnPeerDiscovered(object? sender, LighthousePeerEventArgs e) => Write(PeerDiscovered(e.Peer, _node.Sector));

    private void OnPeerLost(object? sender, LighthousePeerEventArgs e) => Write(PeerLost(e.Peer, e.Change, _node.Time.GetUtcNow()));

    private void OnSessionOpened(PeerSession s) => Write(SessionOpened(s));

    private void OnSessionClosed(PeerSession s) => Write(SessionClosed(s));

    private void OnImpersonation(ImpersonationWarning w) => Write(Impersonation(w));

    // These run on the lighthouse's and the mesh's threads: a terminal that went away must not fail them.
    // Every line carries peer text (node-ids, sectors, goodbye reasons): nothing in it may act on the terminal.
    private void Write(string line)
    {
        try
        {
            _reader.WriteAbove(VisibleText.Escape(line));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The terminal is gone; the log has the facts.
        }
    }
}
