using OpenRed.Core.Identity;
using OpenRed.Core.Security.Internal;
using OpenRed.Core.Wire;

namespace OpenRed.Core.Security;

/// <summary>
/// Runs the three-phase handshake of section 5 over a connected stream. Call it as soon as the connection
/// is established: the deadlines of <see cref="HandshakeOptions"/> count from then. Every failure is a
/// <see cref="HandshakeFailedException"/>; the caller owns the stream and closes it on failure, and nothing
/// of the failed handshake is kept. Cancelling <c>cancellationToken</c> throws <see cref="OperationCanceledException"/>.
/// </summary>
public static class Handshake
{
    /// <summary>I's side: sends REQUEST, checks VERIFY, sends FINALIZE.</summary>
    /// <param name="expected">The fingerprint this node meant to reach (from a beacon, a peer list or the user), or null.</param>
    public static Task<HandshakeResult> InitiateAsync(
        Stream stream, LocalIdentity local, Fingerprint? expected, HandshakeOptions options, TimeProvider time,
        CancellationToken cancellationToken) =>
        InitiateAsync(stream, local, expected, options, time, entropy: null, sign: null, cancellationToken);

    /// <summary>R's side: checks REQUEST, sends VERIFY, checks FINALIZE. A peer for which <paramref name="isBlocked"/> is true gets no session.</summary>
    public static Task<HandshakeResult> RespondAsync(
        Stream stream, LocalIdentity local, Func<Fingerprint, bool> isBlocked, HandshakeOptions options, TimeProvider time,
        CancellationToken cancellationToken) =>
        RespondAsync(stream, local, isBlocked, options, time, entropy: null, sign: null, cancellationToken);

    /// <summary>As the public overload, with the ephemeral keys, nonces and signer injectable for tests.</summary>
    internal static async Task<HandshakeResult> InitiateAsync(
        Stream stream, LocalIdentity local, Fingerprint? expected, HandshakeOptions options, TimeProvider time,
        IHandshakeEntropy? entropy, Func<byte[], byte[]>? sign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        using var machine = new HandshakeInitiator(local, expected, entropy, sign);
        using var deadlines = new HandshakeDeadlines(time, options.Total, cancellationToken);
        var verifyReceived = false;
        try
        {
            await FrameIO.WriteFrameAsync(stream, machine.CreateRequest(), deadlines.Token);
            var verify = await ReadAsync(stream, options, time, "VERIFY", deadlines.Token);
            verifyReceived = true;
            var (finalize, result) = machine.ProcessVerify(verify);
            try
            {
                await FrameIO.WriteFrameAsync(stream, finalize, deadlines.Token);
            }
            catch
            {
                result.Dispose();
                throw;
            }

            return result;
        }
        catch (HandshakeFailedException e) when (!verifyReceived && e.Reason == HandshakeFailure.ConnectionClosed)
        {
            throw ClosedBeforeVerify(e);
        }
        catch (Exception e) when (Translate(e, deadlines) is { } failure)
        {
            throw verifyReceived ? failure : ClosedBeforeVerify(failure);
        }
    }

    /// <summary>As the public overload, with the ephemeral keys, nonces and signer injectable for tests.</summary>
    internal static async Task<HandshakeResult> RespondAsync(
        Stream stream, LocalIdentity local, Func<Fingerprint, bool> isBlocked, HandshakeOptions options, TimeProvider time,
        IHandshakeEntropy? entropy, Func<byte[], byte[]>? sign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(isBlocked);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        using var machine = new HandshakeResponder(local, isBlocked, entropy, sign);
        using var deadlines = new HandshakeDeadlines(time, options.Total, cancellationToken);
        try
        {
            deadlines.StartPhase(options.UntilRequest, "REQUEST");
            var request = await ReadAsync(stream, options, time, "REQUEST", deadlines.Token);
            deadlines.EndPhase();
            var verify = machine.ProcessRequest(request);
            // The FINALIZE clock starts as VERIFY is handed to the stream, so a slow write counts against the peer too.
            deadlines.StartPhase(options.VerifyToFinalize, "FINALIZE");
            await FrameIO.WriteFrameAsync(stream, verify, deadlines.Token);
            var finalize = await ReadAsync(stream, options, time, "FINALIZE", deadlines.Token);
            return machine.ProcessFinalize(finalize);
        }
        catch (Exception e) when (Translate(e, deadlines) is { } failure)
        {
            throw failure;
        }
    }

    private static async Task<byte[]> ReadAsync(
        Stream stream, HandshakeOptions options, TimeProvider time, string what, CancellationToken cancellationToken) =>
        await FrameIO.ReadFrameAsync(
            stream, WireLimits.HandshakeFrameMin, WireLimits.HandshakeFrameMax,
            // The whole handshake's deadline ends any body sooner than a longer body timeout would: no timer for it.
            options.FrameBodyTimeout >= options.Total ? Timeout.InfiniteTimeSpan : options.FrameBodyTimeout, time, cancellationToken)
        ?? throw new HandshakeFailedException(HandshakeFailure.ConnectionClosed, $"connection closed before {what}");

    /// <summary>
    /// A responder that refuses before any cryptography (its connection rate limit, its handshakes in progress, no
    /// free session slot) simply closes the connection; the initiator sees only the close, so it says what that
    /// usually means instead of a bare "connection closed".
    /// </summary>
    internal static HandshakeFailedException ClosedBeforeVerify(HandshakeFailedException failure) =>
        failure.Reason == HandshakeFailure.ConnectionClosed
            ? new HandshakeFailedException(
                HandshakeFailure.ConnectionClosed,
                "the peer closed the connection during the handshake, before VERIFY: it may be refusing connections (rate limit or full)",
                failure.InnerException ?? failure)
            : failure;

    /// <summary>
    /// Maps what the stream, the framing and the clocks throw onto the one failure type; null rethrows as is, which
    /// only the failure itself and the caller's own cancellation do. Anything else (a socket error a stream did not
    /// wrap, a disposed stream, a bug) becomes a failure too: callers close the stream on the one failure type, and an
    /// exception they do not expect would leave the connection open in a faulted task.
    /// </summary>
    private static HandshakeFailedException? Translate(Exception e, HandshakeDeadlines deadlines) => e switch
    {
        HandshakeFailedException => null,
        OperationCanceledException => deadlines.Expired(),
        ProtocolViolationException => deadlines.Expired()
            ?? new HandshakeFailedException(HandshakeFailure.Malformed, e.Message, e),
        IOException or System.Net.Sockets.SocketException or ObjectDisposedException =>
            new HandshakeFailedException(HandshakeFailure.ConnectionClosed, "connection failed during the handshake", e),
        _ => new HandshakeFailedException(HandshakeFailure.LocalError, $"the handshake failed here: {e.GetType().Name}", e),
    };
}
