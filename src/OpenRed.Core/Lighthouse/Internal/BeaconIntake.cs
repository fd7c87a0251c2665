using System.Net;

namespace OpenRed.Core.Lighthouse.Internal;

/// <summary>What the intake did with one datagram.</summary>
internal readonly record struct IntakeResult(BeaconRejection Rejection, bool Own, BeaconObservation? Observation, TimeSpan? AnswerAfter);

/// <summary>
/// The receive path of section 3 for one datagram, without sockets: link check, rate budget, codec, own-beacon filter,
/// peer map, and the decision to answer a solicit. Single-threaded (the receive loop).
/// </summary>
internal sealed class BeaconIntake(
    LighthouseLocalInfo local,
    LighthouseOptions options,
    PeerMap map,
    LinkFilter? linkFilter,
    SourceRateLimiter limiter,
    SolicitAnswerGate answerGate)
{
    private long _accepted;
    private long _own;

    public DropCounters Dropped { get; } = new();

    public long Accepted => Volatile.Read(ref _accepted);

    public long OwnSeen => Volatile.Read(ref _own);

    public IntakeResult Handle(ReadOnlySpan<byte> datagram, IPAddress source, int interfaceIndex)
    {
        if (linkFilter is not null && !linkFilter.IsOnLink(source, interfaceIndex))
        {
            return Drop(BeaconRejection.NotOnLink);
        }

        var budget = limiter.Check(source);
        if (budget != BeaconRejection.None)
        {
            return Drop(budget);
        }

        if (!BeaconCodec.TryParse(datagram, options.MaxDatagram, out var beacon, out var rejection))
        {
            return Drop(rejection);
        }

        if (local.Fingerprint.FixedTimeEquals(beacon.Fingerprint.Span))
        {
            Interlocked.Increment(ref _own);
            return new IntakeResult(BeaconRejection.None, true, null, null);
        }

        var observation = map.Observe(beacon, source);
        if (observation == BeaconObservation.Rejected)
        {
            return Drop(BeaconRejection.MapFull);
        }

        Interlocked.Increment(ref _accepted);
        TimeSpan? answer = null;
        if (beacon.Solicit && !beacon.Goodbye && observation is BeaconObservation.Discovered or BeaconObservation.Restarted)
        {
            answer = answerGate.TrySchedule();
        }

        return new IntakeResult(BeaconRejection.None, false, observation, answer);
    }

    private IntakeResult Drop(BeaconRejection reason)
    {
        Dropped.Add(reason);
        return new IntakeResult(reason, false, null, null);
    }
}
