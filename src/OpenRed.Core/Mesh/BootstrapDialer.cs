using System.Net;
using Microsoft.Extensions.Logging;

namespace OpenRed.Core.Mesh;

/// <summary>
/// Dials the --bootstrap addresses at start, retrying each with backoff until a session is up (the fingerprint
/// behind a bootstrap address is not known in advance). Later losses are the reconnector's business.
/// </summary>
internal sealed partial class BootstrapDialer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _tasks = [];
    private readonly MeshService _mesh;
    private readonly MeshOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public BootstrapDialer(MeshService mesh, MeshOptions options, TimeProvider time, ILogger<BootstrapDialer> logger)
    {
        _mesh = mesh;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public void Start(IEnumerable<DnsEndPoint> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        foreach (var address in addresses)
        {
            _tasks.Add(DialAsync(address, _stopping.Token));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_tasks).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(static _ => { }, TaskScheduler.Default);
        _stopping.Dispose();
    }

    private async Task DialAsync(DnsEndPoint address, CancellationToken ct)
    {
        await Task.Yield();
        var delay = _options.ReconnectMinBackoff;
        var since = _time.GetUtcNow();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var session = await _mesh.ConnectAsync(address.Host, address.Port, null, ct);
                LogBootstrapped(_logger, $"{address.Host}:{address.Port}", session.Peer.NodeId, session.Fingerprint.Short);
                return;
            }
            catch (ConnectException e)
            {
                LogBootstrapFailed(_logger, $"{address.Host}:{address.Port}", e.Message, delay.TotalSeconds);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (_time.GetUtcNow() - since > _options.ReconnectGiveUpAfter)
            {
                return;
            }

            try
            {
                await Task.Delay(delay, _time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxBackoff.Ticks));
        }
    }

    [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "Bootstrap {Address}: session with {NodeId} ({Fingerprint})")]
    private static partial void LogBootstrapped(ILogger logger, string address, string nodeId, string fingerprint);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "Bootstrap {Address} failed: {Reason}; next try in {Seconds} s")]
    private static partial void LogBootstrapFailed(ILogger logger, string address, string reason, double seconds);
}
