namespace OpenRed.Core.Phoenix;

/// <summary>What went wrong with a Phoenix command, for people (one line) and for code (<see cref="Failure"/>).</summary>
public sealed class PhoenixException : Exception
{
    public PhoenixException(PhoenixFailure failure, string message, Exception? inner = null)
        : base(message, inner) => Failure = failure;

    public PhoenixException() : base("Phoenix failure") { }

    public PhoenixException(string message) : base(message) { }

    public PhoenixException(string message, Exception inner) : base(message, inner) { }

    public PhoenixFailure Failure { get; }

    /// <summary>With <see cref="PhoenixFailure.Ambiguous"/>: the publishers found (full fingerprints, node-ids when known).</summary>
    public IReadOnlyList<UrnPublisher> Publishers { get; init; } = [];
}

public enum PhoenixFailure
{
    InvalidName,
    File,
    TooLarge,
    SourceChanged,
    NotFound,
    Ambiguous,
    Cancelled,
}

/// <summary>A publisher of a URN as found: its fingerprint and the node-id a holder reported (not trusted).</summary>
public sealed record UrnPublisher(Identity.Fingerprint Fingerprint, string? NodeId);
