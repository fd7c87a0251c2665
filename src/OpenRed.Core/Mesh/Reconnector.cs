using OpenRed.Core.Security;

namespace OpenRed.Core.Mesh;

/// <summary>
/// Reconnects, with backoff, to peers this node dialled whose session ended without them leaving for good:
/// a lost connection, an idle timeout, or a Goodbye because they were shutting down (they may be restarting).
/// </summary>
internal sealed class Reconnector : IDisposable
{
    /// <summary>The Goodbye reason a node sends when it stops; peers treat it as "back soon, maybe".</summary>
    public const string ShutdownReason = "shutting down";

    private readonly MeshService _mesh;
    private readonly Dialer _dialer;

    public Reconnector(MeshService mesh, Dialer dialer)
    {
        _mesh = mesh;
        _dialer = dialer;
        _mesh.SessionClosed += OnSessionClosed;
    }

    public void Dispose() => _mesh.SessionClosed -= OnSessionClosed;

    private void OnSessionClosed(PeerSession session)
    {
        var info = session.Secure.CloseInfo;
        if (session.Direction != SessionDirection.Outbound || info is null)
        {
            return;
        }

        var comeBack = info.Kind switch
        {
            SessionCloseKind.ConnectionLost or SessionCloseKind.IdleTimeout or SessionCloseKind.SendStalled => true,
            SessionCloseKind.PeerGoodbye => info.Reason == ShutdownReason,
            _ => false,
        };
        if (comeBack && session.DialAddress is { } address)
        {
            _dialer.Request(address, session.Fingerprint, "reconnect after " + info.Kind, retry: true);
        }
    }
}
