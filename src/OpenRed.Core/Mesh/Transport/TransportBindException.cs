namespace OpenRed.Core.Mesh.Transport;

/// <summary>The listening socket could not be bound; the message is one line for people.</summary>
public sealed class TransportBindException : Exception
{
    public TransportBindException(bool portInUse, string message, Exception inner)
        : base(message, inner) => PortInUse = portInUse;

    public bool PortInUse { get; }
}
