namespace OpenRed.Core.Mesh;

public enum SessionDirection
{
    /// <summary>The peer dialled us: we were the responder.</summary>
    Inbound,

    /// <summary>We dialled the peer: we were the initiator.</summary>
    Outbound,
}
