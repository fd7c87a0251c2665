using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Common;

namespace OpenRed.Core.Mesh.Transport;

/// <summary>
/// TCP and nothing above it, as Kestrel's transport: the listening socket (bound at start, so a busy port fails the
/// start and not a later dial), the accept loop that hands each connection over, and outgoing connects with their
/// timeout and DNS. It knows no handshake and no session.
/// </summary>
internal sealed partial class TcpTransport : IDisposable
{
    private static readonly TimeSpan AcceptErrorPause = TimeSpan.FromMilliseconds(50);
    private readonly Socket? _listener;
    private readonly Func<CancellationToken, ValueTask<Socket>>? _accept;

    private TcpTransport(Socket? listener, Func<CancellationToken, ValueTask<Socket>>? accept)
    {
        _listener = listener;
        _accept = accept ?? (listener is null ? null : listener.AcceptAsync);
        LocalEndPoint = listener is null ? null : (IPEndPoint)listener.LocalEndPoint!;
    }

    /// <summary>The bound endpoint (the actual port when bound with port 0); null for a dial-only transport.</summary>
    public IPEndPoint? LocalEndPoint { get; }

    public int Port => LocalEndPoint?.Port ?? 0;

    /// <summary>Binds and listens; null <paramref name="address"/> means every address (IPv6 dual-mode where available).</summary>
    /// <exception cref="TransportBindException">The port is in use, or the address cannot be bound.</exception>
    public static TcpTransport Listen(IPAddress? address, int port)
    {
        var shown = address is null ? $"port {port}" : Endpoints.Format(new IPEndPoint(address, port));
        try
        {
            return new TcpTransport(BindSocket(address, port), null);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new TransportBindException(true, $"TCP {shown} is already in use (try another --port, or --port 0)", e);
        }
        catch (SocketException e)
        {
            throw new TransportBindException(false, $"cannot listen on TCP {shown}: {e.Message}", e);
        }
    }

    /// <summary>A transport over an accept function someone else owns (tests, benchmarks), or none (dial only).</summary>
    public static TcpTransport Over(Func<CancellationToken, ValueTask<Socket>>? accept) => new(null, accept);

    /// <summary>
    /// Accepts until cancelled, handing each connection to <paramref name="accepted"/> with its normalised remote
    /// address. Transient accept errors (EMFILE, aborted connections) pause briefly; they never stop the listener.
    /// </summary>
    public async Task AcceptLoopAsync(Action<Socket, IPEndPoint> accepted, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        if (_accept is null)
        {
            return;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _accept(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                LogAcceptFailed(logger, e.SocketErrorCode.ToString());
                try
                {
                    await Task.Delay(AcceptErrorPause, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            socket.NoDelay = true;
            accepted(socket, Endpoints.Normalize((IPEndPoint)socket.RemoteEndPoint!));
        }
    }

    /// <summary>Connects to <paramref name="endpoint"/> within <paramref name="timeout"/>.</summary>
    /// <exception cref="ConnectException">Refused, unreachable or silent; the message is for people.</exception>
    public static async Task<Socket> ConnectAsync(IPEndPoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(endpoint, bounded.Token);
            return socket;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new ConnectException($"{Endpoints.Format(endpoint)}: no answer within {timeout.TotalSeconds:0} s");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ConnectException($"{Endpoints.Format(endpoint)}: {Describe(e)}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The addresses of <paramref name="host"/>: the literal itself, or what DNS says now.</summary>
    /// <exception cref="ConnectException">The name does not resolve.</exception>
    public static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken);
            return addresses.Length > 0 ? addresses : throw new ConnectException($"{host} has no address");
        }
        catch (SocketException e)
        {
            throw new ConnectException($"cannot resolve {host}: {e.Message}", e);
        }
    }

    public void Dispose() => _listener?.Dispose();

    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused (no openred listening there?)",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "unreachable",
        SocketError.TimedOut => "timed out",
        _ => e.Message,
    };

    private static Socket BindSocket(IPAddress? address, int port)
    {
        if (address is null && Socket.OSSupportsIPv6)
        {
            try
            {
                return Bind(IPAddress.IPv6Any, port, dualMode: true);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressFamilyNotSupported
                or SocketError.AddressNotAvailable or SocketError.ProtocolNotSupported)
            {
                // IPv6 disabled on this host: every IPv4 address is what "all" can mean.
            }
        }

        return Bind(address ?? IPAddress.Any, port, dualMode: false);
    }

    private static Socket Bind(IPAddress address, int port, bool dualMode)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (dualMode)
            {
                socket.DualMode = true;
            }

            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(128);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Accept failed: {Error}")]
    private static partial void LogAcceptFailed(ILogger logger, string error);
}
