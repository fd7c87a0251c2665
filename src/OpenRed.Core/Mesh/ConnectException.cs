namespace OpenRed.Core.Mesh;

/// <summary>A dial that did not give a session: unreachable, refused, or a failed handshake. The message is for people.</summary>
public sealed class ConnectException : Exception
{
    public ConnectException(string message) : base(message) { }

    public ConnectException(string message, Exception inner) : base(message, inner) { }

    public ConnectException() { }
}
