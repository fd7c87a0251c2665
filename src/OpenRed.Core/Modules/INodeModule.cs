using OpenRed.Core.Storage;

namespace OpenRed.Core.Modules;

/// <summary>
/// A capability of the node (peer dialling, Phoenix, social, peer exchange) as the node composes it: its own
/// tables, the envelope kinds it handles, its part of <c>status</c>, its start and stop. A module takes what it
/// needs from the <see cref="ModuleContext"/> it was built with; the core never knows a module's types.
/// </summary>
/// <remarks>
/// The node runs every module's migrations, then calls every <see cref="RegisterHandlers"/>, then every
/// <see cref="StartAsync"/>, and only then accepts connections and dials, so no session can reach a module before
/// it is ready. Stopping runs in reverse order of start, before the mesh says goodbye.
/// </remarks>
internal interface INodeModule : IAsyncDisposable
{
    /// <summary>Lowercase, stable: it keys the module's schema version in the database and its status section.</summary>
    string Name { get; }

    /// <summary>The module's schema steps, numbered from 1 within the module; never edit a released one.</summary>
    IReadOnlyList<Migration> Migrations { get; }

    /// <summary>Registers the handler of each envelope kind the module answers.</summary>
    void RegisterHandlers(ModuleHandlers handlers);

    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>The module's lines of <c>status</c> and its object in <c>status --json</c>; null for none.</summary>
    StatusSection? GetStatus();
}
