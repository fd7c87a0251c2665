namespace OpenRed.Core.Security.Internal;

/// <summary>A request from the peer that holds one of its pending slots until the handler has finished.</summary>
internal sealed class SessionIncomingRequest
{
    private int _answered;

    public bool Answered => Volatile.Read(ref _answered) == 1;

    public bool TryMarkAnswered() => Interlocked.Exchange(ref _answered, 1) == 0;
}
