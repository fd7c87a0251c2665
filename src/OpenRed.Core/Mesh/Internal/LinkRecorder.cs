using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Common;

namespace OpenRed.Core.Mesh.Internal;

/// <summary>Writes every verified session into the links table and says when a node-id arrives with a new fingerprint.</summary>
internal sealed partial class LinkRecorder(LinkStore links, TimeProvider time, ILogger logger)
{
    public event Action<ImpersonationWarning>? ImpersonationSuspected;

    public void Opened(PeerSession session)
    {
        var dial = session.DialAddress;
        try
        {
            var address = Endpoints.Normalize(dial?.Address ?? session.Remote.Address).ToString();
            var pinned = links.Record(session.Peer, address, dial?.Port ?? 0, time.GetUtcNow());
            if (pinned.Count > 0)
            {
                LogImpersonation(logger, session.NodeId, session.Fingerprint.Hex, string.Join(", ", pinned.Select(f => f.Short)));
                ImpersonationSuspected?.Invoke(new ImpersonationWarning(session.NodeId, session.Fingerprint, pinned));
            }
        }
        catch (SqliteException e)
        {
            LogLinkNotStored(logger, session.Fingerprint.Short, e.Message);
        }
    }

    public void Closed(PeerSession session)
    {
        try
        {
            links.Touch(session.Fingerprint, time.GetUtcNow());
        }
        catch (SqliteException e)
        {
            LogLinkNotStored(logger, session.Fingerprint.Short, e.Message);
        }
    }

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Possible impersonation: node-id {NodeId} arrived with fingerprint {Fingerprint}, linked before to {Known}")]
    private static partial void LogImpersonation(ILogger logger, string nodeId, string fingerprint, string known);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Link of {Fingerprint} not stored: {Reason}")]
    private static partial void LogLinkNotStored(ILogger logger, string fingerprint, string reason);
}
