using OpenRed.Core.Mesh;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Modules;

/// <summary>What a module may do at registration: claim envelope kinds. Valid only until the node starts the mesh.</summary>
internal sealed class ModuleHandlers(MeshService mesh)
{
    /// <exception cref="InvalidOperationException">Another module claimed the kind, or the mesh has started.</exception>
    public void Handle(Envelope.BodyOneofCase kind, EnvelopeHandler handler) => mesh.Handle(kind, handler);
}
