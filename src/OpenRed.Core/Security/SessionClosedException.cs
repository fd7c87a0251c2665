namespace OpenRed.Core.Security;

/// <summary>An operation could not complete because the session closed.</summary>
public sealed class SessionClosedException : Exception
{
    public SessionClosedException(SessionCloseInfo? info)
        : base(info is null ? "the session is closed" : $"the session is closed: {info.Reason}")
    {
        CloseInfo = info;
    }

    public SessionClosedException() : base("the session is closed") { }

    public SessionClosedException(string message) : base(message) { }

    public SessionClosedException(string message, Exception inner) : base(message, inner) { }

    public SessionCloseInfo? CloseInfo { get; }
}
