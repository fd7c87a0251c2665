using System.Net;
using System.Net.Sockets;

namespace OpenRed.Core;

/// <summary>The node's TCP listening socket, bound at start so a busy port fails the start, not a later dial.</summary>
internal sealed class NodeListener : IDisposable
{
    private readonly Socket _socket;

    private NodeListener(Socket socket)
    {
        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public int Port => LocalEndPoint.Port;

    /// <exception cref="NodeStartException">The port is in use, or the address cannot be bound.</exception>
    public static NodeListener Bind(IPAddress? address, int port)
    {
        var shown = address is null ? $"port {port}" : $"{FormatAddress(address)}:{port}";
        try
        {
            return new NodeListener(BindSocket(address, port));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new NodeStartException(NodeStartFailure.PortInUse, $"TCP {shown} is already in use (try another --port, or --port 0)", e);
        }
        catch (SocketException e)
        {
            throw new NodeStartException(NodeStartFailure.Listen, $"cannot listen on TCP {shown}: {e.Message}", e);
        }
    }

    public ValueTask<Socket> AcceptAsync(CancellationToken ct) => _socket.AcceptAsync(ct);

    public void Dispose() => _socket.Dispose();

    private static Socket BindSocket(IPAddress? address, int port)
    {
        if (address is null && Socket.OSSupportsIPv6)
        {
            try
            {
                return Listen(IPAddress.IPv6Any, port, dualMode: true);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressFamilyNotSupported
                or SocketError.AddressNotAvailable or SocketError.ProtocolNotSupported)
            {
                // IPv6 disabled on this host: every IPv4 address is what "all" can mean.
            }
        }

        return Listen(address ?? IPAddress.Any, port, dualMode: false);
    }

    private static Socket Listen(IPAddress address, int port, bool dualMode)
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

    internal static string FormatAddress(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
}
