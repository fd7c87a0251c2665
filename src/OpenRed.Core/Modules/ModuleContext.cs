using Microsoft.Extensions.Logging;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Mesh;
using OpenRed.Core.Node;
using OpenRed.Core.Storage;

namespace OpenRed.Core.Modules;

/// <summary>What the node hands a module when it builds it: the parts to its left in the data flow, and its services.</summary>
internal sealed record ModuleContext(
    OpenRedNode Node,
    NodeOptions Options,
    NodeDatabase Database,
    MeshService Mesh,
    PeerMap PeerMap,
    LinkStore Links,
    NodeEvents Events,
    TimeProvider Time,
    ILoggerFactory Loggers,
    CancellationToken Stopping);
