using Microsoft.Extensions.Logging;

namespace OpenRed.Core.Security.Internal;

/// <summary>Secure session log messages, event ids 3100..3199.</summary>
internal static partial class SessionLog
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Session {SessionId} with {Peer} started ({Role})")]
    public static partial void Started(ILogger logger, string sessionId, string peer, string role);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Session {SessionId} with {Peer} closed: {Kind} {Reason}")]
    public static partial void Closed(ILogger logger, string sessionId, string peer, SessionCloseKind kind, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Session {SessionId} with {Peer}: protocol violation: {Reason}")]
    public static partial void Violation(ILogger logger, string sessionId, string peer, string reason);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "Session {SessionId}: rekeyed the {Direction} direction")]
    public static partial void Rekeyed(ILogger logger, string sessionId, string direction);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Error, Message = "Session {SessionId}: handler failed for a {Body} envelope (id {Id})")]
    public static partial void HandlerFailed(ILogger logger, Exception error, string sessionId, string body, ulong id);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "Session {SessionId}: handler returned without answering request {Id} ({Body})")]
    public static partial void HandlerDidNotAnswer(ILogger logger, string sessionId, ulong id, string body);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Debug, Message = "Session {SessionId}: send queue full, dropped a {Body} reply to {Id}")]
    public static partial void ControlReplyDropped(ILogger logger, string sessionId, string body, ulong id);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Debug, Message = "Session {SessionId}: request {Id} refused, {Pending} requests pending")]
    public static partial void RateLimited(ILogger logger, string sessionId, ulong id, int pending);

    [LoggerMessage(EventId = 3108, Level = LogLevel.Debug, Message = "Session {SessionId}: connection error: {Reason}")]
    public static partial void ConnectionError(ILogger logger, Exception error, string sessionId, string reason);

    [LoggerMessage(EventId = 3109, Level = LogLevel.Error, Message = "Session {SessionId}: a Closed handler failed")]
    public static partial void ClosedHandlerFailed(ILogger logger, Exception error, string sessionId);
}
