using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Common;
using OpenRed.Core.Identity;
using OpenRed.Core.Security;

namespace OpenRed.Core.Mesh.Internal;

/// <summary>
/// Turns a TCP connection into a verified peer, or refuses it: inbound admission (rates, handshakes in progress,
/// session slots) before any cryptography, then the handshake in either role. Counts what it did.
/// </summary>
internal sealed partial class SessionEstablishment
{
    private readonly LocalIdentity _local;
    private readonly MeshOptions _options;
    private readonly InboundAdmission _admission;
    private readonly SessionTable _table;
    private readonly Func<Fingerprint, bool> _isBlocked;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RefusalLog _refusals;

    public SessionEstablishment(
        LocalIdentity local, MeshOptions options, SessionTable table, Func<Fingerprint, bool> isBlocked,
        MeshCounters counters, TimeProvider time, ILogger logger)
    {
        _local = local;
        _options = options;
        _table = table;
        _isBlocked = isBlocked;
        Counters = counters;
        _time = time;
        _logger = logger;
        _admission = new InboundAdmission(options, time);
        _refusals = new RefusalLog(logger, time);
    }

    public MeshCounters Counters { get; }

    public int InProgress => _admission.InProgress;

    /// <summary>
    /// Decides, before any cryptography, whether an inbound connection may start a handshake. Null means refused:
    /// the caller closes the socket.
    /// </summary>
    public InboundAdmission.Ticket? Admit(IPEndPoint remote)
    {
        // Slots first: a node with no room for a session spends no handshake budget, and no cryptography, on it.
        if (!_table.CanAcceptInbound(remote.Address, out var refusal))
        {
            Counters.SessionRefused(refusal!);
            Refused(remote, refusal!);
            return null;
        }

        var ticket = _admission.TryAdmit(remote.Address, out refusal);
        if (ticket is null)
        {
            Counters.ConnectionRefused(refusal!);
            Refused(remote, refusal!);
        }

        return ticket;
    }

    private void Refused(IPEndPoint remote, string refusal)
    {
        var who = Endpoints.Format(remote);
        LogConnectionRefused(_logger, who, refusal);
        _refusals.Refused(refusal, who);
    }

    /// <summary>Runs the responder's handshake; null when it failed or was dropped (the stream is then disposed).</summary>
    public async Task<HandshakeResult?> RespondAsync(Stream stream, IPEndPoint remote, InboundAdmission.Ticket ticket, CancellationToken cancellationToken)
    {
        using (ticket)
        {
            // The node stopping evicts the ticket too: one cancellation source a handshake, not a linked one more.
            using var stopping = cancellationToken.Register(static t => ((InboundAdmission.Ticket)t!).Evict(), ticket);
            try
            {
                var result = await Handshake.RespondAsync(stream, _local, _isBlocked, _options.Handshake, _time, ticket.Evicted);
                Counters.HandshakeCompleted();
                return result;
            }
            catch (Exception e) when (e is HandshakeFailedException or OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                if (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    Counters.HandshakeFailed();
                    var reason = e is OperationCanceledException ? "dropped to make room for newer handshakes" : e.Message;
                    LogHandshakeFailed(_logger, Endpoints.Format(remote), "responder", reason);
                }

                await stream.DisposeAsync();
                return null;
            }
        }
    }

    /// <summary>Runs the initiator's handshake; with <paramref name="expected"/>, only that fingerprint is accepted.</summary>
    /// <exception cref="ConnectException">The handshake failed; the stream is disposed.</exception>
    public async Task<HandshakeResult> InitiateAsync(Stream stream, IPEndPoint remote, Fingerprint? expected, CancellationToken cancellationToken)
    {
        try
        {
            var result = await Handshake.InitiateAsync(stream, _local, expected, _options.Handshake, _time, cancellationToken);
            Counters.HandshakeCompleted();
            return result;
        }
        catch (Exception e) when (e is HandshakeFailedException or IOException or SocketException or ObjectDisposedException)
        {
            Counters.HandshakeFailed();
            LogHandshakeFailed(_logger, Endpoints.Format(remote), "initiator", e.Message);
            await stream.DisposeAsync();
            throw new ConnectException($"{Endpoints.Format(remote)}: handshake failed: {e.Message}", e);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "Handshake with {Remote} failed as {Role}: {Reason}")]
    private static partial void LogHandshakeFailed(ILogger logger, string remote, string role, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "Connection from {Remote} refused: {Reason}")]
    private static partial void LogConnectionRefused(ILogger logger, string remote, string reason);
}
