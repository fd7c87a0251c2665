using Microsoft.Extensions.Logging;

namespace OpenRed.Core.Peers.Internal;

/// <summary>The peer directory's and the dial scheduler's log lines (event ids 4400–4499).</summary>
internal static partial class PeersLog
{
    [LoggerMessage(EventId = 4400, Level = LogLevel.Debug, Message = "Peer directory loaded {Count} candidates")]
    public static partial void Loaded(ILogger logger, int count);

    [LoggerMessage(EventId = 4401, Level = LogLevel.Warning, Message = "Peer directory: writing {Count} changes failed, will retry")]
    public static partial void FlushFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Debug, Message = "Peer directory: {Address} ignored: it is known as {Known}, not {Claimed} ({Source})")]
    public static partial void ClaimIgnored(ILogger logger, string address, string known, string claimed, PeerSource source);

    [LoggerMessage(EventId = 4403, Level = LogLevel.Debug, Message = "Peer directory full: {Address} from {Source} dropped")]
    public static partial void Full(ILogger logger, string address, PeerSource source);

    [LoggerMessage(EventId = 4410, Level = LogLevel.Debug, Message = "Dialling {Address} expecting {Fingerprint} ({Why})")]
    public static partial void Dialling(ILogger logger, string address, string fingerprint, string why);

    [LoggerMessage(EventId = 4411, Level = LogLevel.Debug, Message = "Dial to {Address} reached {Fingerprint}")]
    public static partial void DialSucceeded(ILogger logger, string address, string fingerprint);

    [LoggerMessage(EventId = 4412, Level = LogLevel.Debug, Message = "Dial to {Address} failed: {Reason}; next no sooner than {Seconds:0.#} s")]
    public static partial void DialFailed(ILogger logger, string address, DialFailure reason, double seconds);

    [LoggerMessage(EventId = 4413, Level = LogLevel.Debug, Message = "Dial to {Address} cancelled: its candidate is no longer wanted")]
    public static partial void DialCancelled(ILogger logger, string address);

    [LoggerMessage(EventId = 4414, Level = LogLevel.Warning, Message = "Dial to {Address} threw")]
    public static partial void DialThrew(ILogger logger, string address, Exception exception);

    [LoggerMessage(EventId = 4415, Level = LogLevel.Information, Message = "{Address} is this node itself: it will not be dialled again")]
    public static partial void IsSelf(ILogger logger, string address);

    [LoggerMessage(EventId = 4416, Level = LogLevel.Debug, Message = "Session with {Fingerprint} ended ({Cause}): {Decision}")]
    public static partial void SessionEnded(ILogger logger, string fingerprint, SessionEndCause cause, string decision);

    [LoggerMessage(EventId = 4417, Level = LogLevel.Warning, Message = "Dial scheduler stopped with {Count} dials still running")]
    public static partial void StopTimedOut(ILogger logger, int count);

    [LoggerMessage(EventId = 4418, Level = LogLevel.Error, Message = "Dial scheduler pass failed")]
    public static partial void PassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4419, Level = LogLevel.Debug, Message = "Rotating out {Fingerprint}: {New} new candidates to meet, last news {SinceNews:0.0} s ago (-1: none)")]
    public static partial void Rotating(ILogger logger, string fingerprint, int @new, double sinceNews);
}
