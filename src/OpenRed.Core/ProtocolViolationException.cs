namespace OpenRed.Core;

/// <summary>What the protocol calls a violation: the peer sent something the spec forbids.</summary>
public sealed class ProtocolViolationException : Exception
{
    public ProtocolViolationException(string message) : base(message) { }

    public ProtocolViolationException(string message, Exception inner) : base(message, inner) { }

    public ProtocolViolationException() { }
}
