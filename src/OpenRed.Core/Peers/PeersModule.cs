using Microsoft.Extensions.Logging;
using OpenRed.Core.Identity;
using OpenRed.Core.Mesh;
using OpenRed.Core.Modules;
using OpenRed.Core.Storage;

namespace OpenRed.Core.Peers;

/// <summary>
/// The dial policy as a module: learns candidate addresses (lighthouse, --bootstrap, connect, links) and dials
/// them. (Interim: composes the older dial classes until the peer directory and scheduler replace them.)
/// </summary>
internal sealed class PeersModule : INodeModule
{
    private readonly ModuleContext _context;
    private Dialer? _dialer;
    private Reconnector? _reconnector;
    private AutoConnector? _auto;
    private BootstrapDialer? _bootstrap;

    public PeersModule(ModuleContext context) => _context = context;

    public string Name => "peers";

    public IReadOnlyList<Migration> Migrations => [];

    public void RegisterHandlers(ModuleHandlers handlers)
    {
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var c = _context;
        var mesh = c.Options.EffectiveMesh;
        _dialer = new Dialer(c.Mesh, mesh, c.Time, c.Loggers.CreateLogger<Dialer>());
        _reconnector = new Reconnector(c.Mesh, _dialer);
        _auto = new AutoConnector(c.Mesh, c.PeerMap, _dialer, c.Options.Sector, mesh.SessionCheckTimeout, c.Time, c.Loggers.CreateLogger<AutoConnector>());
        c.Node.PeerDisconnectedByUser += _dialer.Forget;
        _auto.Sweep();
        if (c.Options.Bootstrap.Count > 0)
        {
            _bootstrap = new BootstrapDialer(c.Mesh, mesh, c.Time, c.Loggers.CreateLogger<BootstrapDialer>());
            _bootstrap.Start(c.Options.Bootstrap);
        }

        return Task.CompletedTask;
    }

    public StatusSection? GetStatus() => null;

    public IReadOnlyDictionary<Fingerprint, IReadOnlyList<string>> SourcesByFingerprint() => new Dictionary<Fingerprint, IReadOnlyList<string>>();

    public async ValueTask DisposeAsync()
    {
        if (_bootstrap is not null)
        {
            await _bootstrap.DisposeAsync();
        }

        _auto?.Dispose();
        _reconnector?.Dispose();
        if (_dialer is not null)
        {
            _context.Node.PeerDisconnectedByUser -= _dialer.Forget;
            await _dialer.DisposeAsync();
        }
    }
}
