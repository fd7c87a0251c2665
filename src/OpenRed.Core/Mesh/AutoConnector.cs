using Microsoft.Extensions.Logging;
using OpenRed.Core.Identity;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Security;

namespace OpenRed.Core.Mesh;

/// <summary>
/// Joins the lighthouse's peer map to the mesh: dials discovered peers of our sector when our fingerprint is the
/// lower (section 3, auto-connect), reports sessions to the map, checks sessions a beacon casts doubt on, and
/// reconnects to peers whose session was lost while they are still known to be up.
/// </summary>
internal sealed partial class AutoConnector : IDisposable
{
    private readonly MeshService _mesh;
    private readonly PeerMap _map;
    private readonly Dialer _dialer;
    private readonly string _sector;
    private readonly ILogger _logger;
    private readonly TimeSpan _checkTimeout;
    private readonly TimeProvider _time;

    // Peers whose last session ended by a deliberate Goodbye (a user's disconnect on either side): no auto-dial
    // until they are heard again as new (rediscovered or restarted), or a person connects explicitly.
    private readonly HashSet<Fingerprint> _quiet = [];
    private readonly Lock _lock = new();

    public AutoConnector(
        MeshService mesh, PeerMap map, Dialer dialer, string sector, TimeSpan checkTimeout, TimeProvider time, ILogger<AutoConnector> logger)
    {
        _checkTimeout = checkTimeout;
        _time = time;
        _mesh = mesh;
        _map = map;
        _dialer = dialer;
        _sector = sector;
        _logger = logger;
        _map.PeerDiscovered += OnDiscoveredOrUpdated;
        _map.PeerUpdated += OnDiscoveredOrUpdated;
        _map.PeerNeedsCheck += OnNeedsCheck;
        _mesh.SessionOpened += OnSessionOpened;
        _mesh.SessionClosed += OnSessionClosed;
    }

    /// <summary>Dials every peer already in the map that the rule says this node should dial.</summary>
    public void Sweep()
    {
        foreach (var peer in _map.Snapshot())
        {
            Consider(peer, "discovered");
        }
    }

    public void Dispose()
    {
        _map.PeerDiscovered -= OnDiscoveredOrUpdated;
        _map.PeerUpdated -= OnDiscoveredOrUpdated;
        _map.PeerNeedsCheck -= OnNeedsCheck;
        _mesh.SessionOpened -= OnSessionOpened;
        _mesh.SessionClosed -= OnSessionClosed;
    }

    private void OnDiscoveredOrUpdated(object? sender, LighthousePeerEventArgs e)
    {
        if (e.Change is PeerChange.Discovered or PeerChange.Restarted or PeerChange.AddressChanged or PeerChange.LabelsChanged
            or PeerChange.SessionDown)
        {
            Consider(e.Peer, e.Change.ToString().ToLowerInvariant());
        }
    }

    private void Consider(LighthousePeer peer, string why)
    {
        lock (_lock)
        {
            if (why is "discovered" or "restarted")
            {
                _quiet.Remove(peer.Fingerprint);
            }
            else if (_quiet.Contains(peer.Fingerprint))
            {
                return;
            }
        }

        // Peers of other sectors are shown, never auto-dialled; the higher fingerprint waits to be dialled.
        if (peer.Sector != _sector || peer.HasSession || !(_mesh.Self < peer.Fingerprint))
        {
            return;
        }

        _dialer.Request(peer.Address, peer.Fingerprint, why, retry: true);
    }

    private void OnNeedsCheck(object? sender, LighthousePeerEventArgs e)
    {
        var session = _mesh.Find(e.Peer.Fingerprint);
        if (session is not null)
        {
            _ = CheckAsync(session);
        }
        else if (e.Candidate is not null)
        {
            _dialer.Request(e.Candidate, e.Peer.Fingerprint, "verified peer at a new address", retry: false);
        }
    }

    private async Task CheckAsync(PeerSession session)
    {
        using var timeout = new CancellationTokenSource(_checkTimeout, _time);
        try
        {
            await session.PingAsync(timeout.Token);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or SessionClosedException or IOException or ObjectDisposedException)
        {
            LogCheckFailed(_logger, session.Fingerprint.Short, e is OperationCanceledException ? "no answer to ping" : e.Message);
            await session.CloseAsync(GoodbyeReason.NoPingAnswer, CancellationToken.None);
        }
    }

    private void OnSessionOpened(PeerSession session)
    {
        lock (_lock)
        {
            _quiet.Remove(session.Fingerprint);
        }

        _map.MarkSessionUp(new VerifiedPeer(session.Fingerprint, session.NodeId, session.Sector, session.Peer.ListenPort), session.Remote.Address);
    }

    private void OnSessionClosed(PeerSession session)
    {
        var info = session.Secure.CloseInfo;
        var deliberate = info is not null
            && (info.Kind == SessionCloseKind.Local
                || (info.Kind == SessionCloseKind.PeerGoodbye && info.Reason != Reconnector.ShutdownReason));
        if (deliberate)
        {
            lock (_lock)
            {
                _quiet.Add(session.Fingerprint);
            }
        }

        // Raises PeerUpdated(SessionDown) at once, which Consider sees with the quiet set already updated.
        _map.MarkSessionDown(session.Fingerprint);
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "Session with {Fingerprint} failed its check: {Reason}")]
    private static partial void LogCheckFailed(ILogger logger, string fingerprint, string reason);
}
