using Microsoft.Extensions.Logging;

namespace OpenRed.Core.Social.Internal;

/// <summary>The social layer's log lines (event ids 5200–5299).</summary>
internal static partial class SocialLog
{
    [LoggerMessage(EventId = 5200, Level = LogLevel.Debug, Message = "Profile of {Peer} refused: {Reason}")]
    public static partial void ProfileRefused(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Debug, Message = "Thumbnail of {Peer} dropped: {Reason}")]
    public static partial void ThumbnailDropped(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Debug, Message = "Profile of {Peer} not fetched: {Reason}")]
    public static partial void ProfileFetchFailed(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Information, Message = "Friend request from {Peer} stored")]
    public static partial void RequestStored(ILogger logger, string peer);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Information, Message = "Pending friend request from {Peer} dropped: the pending list is full")]
    public static partial void RequestDroppedFull(ILogger logger, string peer);

    [LoggerMessage(EventId = 5205, Level = LogLevel.Debug, Message = "{Kind} from {Peer} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string kind, string peer, string reason);

    [LoggerMessage(EventId = 5206, Level = LogLevel.Debug, Message = "Courier to {Peer} paused: {Reason}")]
    public static partial void CourierPaused(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 5207, Level = LogLevel.Warning, Message = "Social task failed")]
    public static partial void TaskFailed(ILogger logger, Exception e);

    [LoggerMessage(EventId = 5208, Level = LogLevel.Debug, Message = "Dial to {Peer} to deliver what is queued for it failed: {Reason}")]
    public static partial void DialFailed(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 5210, Level = LogLevel.Debug, Message = "Dialling {Peer} at {Endpoint}: something is queued for it")]
    public static partial void DialingOwed(ILogger logger, string peer, string endpoint);

    [LoggerMessage(EventId = 5209, Level = LogLevel.Information, Message = "{Peer} answered {Kind} with {Code}: {Message}")]
    public static partial void PeerError(ILogger logger, string peer, string kind, string code, string message);
}
