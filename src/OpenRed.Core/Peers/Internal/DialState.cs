namespace OpenRed.Core.Peers.Internal;

/// <summary>The scheduler's own memory of one candidate address: nothing here outlives the process.</summary>
internal sealed class DialState
{
    /// <summary>No dial before this; null until the first pass derives it from the stored failures.</summary>
    public DateTimeOffset? NotBefore { get; set; }

    /// <summary>Dials while the candidate was beacon-only, since its beacon source was last (re)added.</summary>
    public int BeaconAttempts { get; set; }

    /// <summary>The <see cref="PeerSourceEntry.Since"/> of the beacon source the attempts were counted against.</summary>
    public DateTimeOffset? BeaconSince { get; set; }

    public DialAttempt? InFlight { get; set; }

    /// <summary>The skip already counted for the current episode, so that a candidate is counted once, not per pass.</summary>
    public DialSkipReason? Noted { get; set; }
}

/// <summary>One dial in progress.</summary>
internal sealed class DialAttempt(DialRequest request, DialVerdict why, CancellationTokenSource cancel)
{
    public DialRequest Request { get; } = request;

    public DialVerdict Why { get; } = why;

    public CancellationTokenSource Cancel { get; } = cancel;

    public Task? Task { get; set; }

    /// <summary>Set under the scheduler's lock once a cancellation is decided, so it is requested once.</summary>
    public bool Cancelling { get; set; }
}
