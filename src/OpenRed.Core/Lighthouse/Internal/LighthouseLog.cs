using System.Net;
using Microsoft.Extensions.Logging;

namespace OpenRed.Core.Lighthouse.Internal;

/// <summary>Lighthouse log events, ids 3000–3099.</summary>
internal static partial class LighthouseLog
{
    [LoggerMessage(3000, LogLevel.Information, "Lighthouse on {Group}:{Port} via {Interface}, interval {IntervalSeconds} s")]
    public static partial void Started(this ILogger logger, IPAddress group, int port, string @interface, uint intervalSeconds);

    [LoggerMessage(3001, LogLevel.Warning, "Discovery is off: {Reason}")]
    public static partial void DiscoveryOff(this ILogger logger, string reason);

    [LoggerMessage(3002, LogLevel.Warning, "Sending beacons fails: {Reason} (further failures are counted, not logged)")]
    public static partial void SendFailing(this ILogger logger, string reason);

    [LoggerMessage(3003, LogLevel.Information, "Sending beacons works again after {Failures} failures")]
    public static partial void SendRecovered(this ILogger logger, long failures);

    [LoggerMessage(3004, LogLevel.Debug, "Receive error on the lighthouse socket: {Reason}")]
    public static partial void ReceiveError(this ILogger logger, string reason);

    [LoggerMessage(3005, LogLevel.Warning, "A peer map event handler failed")]
    public static partial void HandlerFailed(this ILogger logger, Exception exception);

    [LoggerMessage(3006, LogLevel.Debug, "Lighthouse stopped; goodbye {Outcome}")]
    public static partial void Stopped(this ILogger logger, string outcome);
}
