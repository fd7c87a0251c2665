using Microsoft.Extensions.Logging;

namespace OpenRed.Core.Exchange.Internal;

/// <summary>Peer exchange's log lines (event ids 4600–4699).</summary>
internal static partial class ExchangeLog
{
    [LoggerMessage(EventId = 4600, Level = LogLevel.Debug, Message = "PeerExchange to {Fingerprint}: {Count} entries")]
    public static partial void Sent(ILogger logger, string fingerprint, int count);

    [LoggerMessage(EventId = 4601, Level = LogLevel.Debug, Message = "PeerExchange from {Fingerprint}: {Accepted} of {Count} entries taken")]
    public static partial void Received(ILogger logger, string fingerprint, int accepted, int count);

    [LoggerMessage(EventId = 4602, Level = LogLevel.Debug, Message = "PeerExchange from {Fingerprint}: entry {Host}:{Port} ignored ({Rejection})")]
    public static partial void EntryIgnored(ILogger logger, string fingerprint, string host, uint port, ExchangeRejection rejection);

    [LoggerMessage(EventId = 4603, Level = LogLevel.Warning, Message = "{Fingerprint} broke the peer exchange limits ({Reason}): disconnected")]
    public static partial void Violation(ILogger logger, string fingerprint, string reason);

    [LoggerMessage(EventId = 4604, Level = LogLevel.Debug, Message = "PeerExchange to {Fingerprint} not sent: {Reason}")]
    public static partial void SendFailed(ILogger logger, string fingerprint, string reason);

    [LoggerMessage(EventId = 4605, Level = LogLevel.Error, Message = "Peer exchange pass failed")]
    public static partial void PassFailed(ILogger logger, Exception exception);
}
