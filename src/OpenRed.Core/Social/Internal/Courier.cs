using Google.Protobuf;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Mesh;
using OpenRed.Core.Peers.Internal;
using OpenRed.Core.Security;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Social.Internal;

/// <summary>
/// Carries what this node owes one peer over one session, from the store: its friend request until the Ack, the
/// responses it owes until their Ack, then (to a friend) every message of the outbox until its receipt. It runs
/// when the session starts (the spec's "sends again whenever a session starts"), when kicked by a new message or
/// decision, and every <see cref="SocialOptions.RetryInterval"/>. A message is marked sent before it is handed to the
/// session; only its receipt takes it out of the outbox, so a crash at any point leaves it to be sent again, and
/// the friend's de-duplication by message id makes that harmless.
/// </summary>
internal sealed class Courier
{
    private readonly PeerSession _session;
    private readonly SocialStore _store;
    private readonly SocialOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<bool> _isFriend;
    private readonly Action<byte[]> _delivered;
    private readonly Action<bool> _answered;
    private readonly AsyncSignal _wake = new();
    private readonly CancellationTokenSource _stop;

    public Courier(
        PeerSession session, SocialStore store, SocialOptions options, TimeProvider time, ILogger logger,
        Func<bool> isFriend, Action<byte[]> delivered, Action<bool> answered, CancellationToken stopping)
    {
        _session = session;
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        _isFriend = isFriend;
        _delivered = delivered;
        _answered = answered;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        Kick();
    }

    public PeerSession Session => _session;

    /// <summary>Asks for a pass soon; kicks while a pass runs make one more pass after it.</summary>
    public void Kick() => _wake.Set();

    public void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Ended already.
        }
    }

    public async Task RunAsync()
    {
        var cancellationToken = _stop.Token;
        try
        {
            while (!cancellationToken.IsCancellationRequested && _session.IsOpen)
            {
                await _wake.WaitAsync(_options.RetryInterval, _time, cancellationToken);
                if (!await PassAsync(cancellationToken))
                {
                    await Task.Delay(_options.RetryBackoff, _time, cancellationToken);
                    Kick();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The session closed or the node is stopping: the store keeps what is left for the next session.
        }
        finally
        {
            _stop.Dispose();
        }
    }

    /// <summary>One pass over what is owed; false when it stopped early and should be tried again after a pause.</summary>
    private async Task<bool> PassAsync(CancellationToken cancellationToken)
    {
        // A courier whose session has closed may still be woken (a `msg` kicks it): it must not mark anything sent.
        if (!_session.IsOpen)
        {
            return true;
        }

        try
        {
            if (!await SendFriendBusinessAsync(cancellationToken))
            {
                return false;
            }

            return !_isFriend() || await SendOutboxAsync(cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or SessionClosedException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            SocialLog.CourierPaused(_logger, _session.Fingerprint.Short, e.Message);
            return !_session.IsOpen;
        }
    }

    private async Task<bool> SendFriendBusinessAsync(CancellationToken cancellationToken)
    {
        var peer = _session.Fingerprint;
        if (_store.GetPeer(peer) is { State: FriendState.PendingOut, Acked: false, RequestId: { } id } row)
        {
            var answer = await _session.RequestAsync(new Envelope
            {
                FriendRequest = new FriendRequest
                {
                    RequestId = ByteString.CopyFrom(id),
                    Message = row.Message,
                    SentAtMs = (ulong)row.Since.ToUnixTimeMilliseconds(),
                },
            }, cancellationToken);
            if (answer.BodyCase == Envelope.BodyOneofCase.Ack)
            {
                _store.MarkRequestAcked(peer, id);
            }
            else if (Retry(answer, "FriendRequest"))
            {
                return false;
            }
        }

        foreach (var (requestId, accepted) in _store.ResponsesFor(peer))
        {
            var answer = await _session.RequestAsync(new Envelope
            {
                FriendResponse = new FriendResponse { RequestId = ByteString.CopyFrom(requestId), Accepted = accepted },
            }, cancellationToken);
            if (answer.BodyCase != Envelope.BodyOneofCase.Ack && Retry(answer, "FriendResponse"))
            {
                return false;
            }

            // An Ack, or a refusal that will not change (the peer no longer waits for it): either way it is done.
            _store.ResponseDone(peer, requestId);
        }

        return true;
    }

    private async Task<bool> SendOutboxAsync(CancellationToken cancellationToken)
    {
        long after = 0;
        while (true)
        {
            var batch = _store.Outbox(_session.Fingerprint, after, _options.SendWindow);
            if (batch.Count == 0)
            {
                return true;
            }

            var results = await Task.WhenAll(batch.Select(m => SendOneAsync(m, cancellationToken)));
            if (results.Any(ok => !ok))
            {
                return false;
            }

            after = batch[^1].Seq;
        }
    }

    private async Task<bool> SendOneAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        if (!_session.IsOpen)
        {
            return false;
        }

        _store.MarkSent(item.Seq);
        var answer = await _session.RequestAsync(new Envelope
        {
            ChatMessage = new ChatMessage
            {
                MessageId = ByteString.CopyFrom(item.MessageId),
                Text = item.Text,
                SentAtMs = (ulong)item.SentAtMs,
            },
        }, cancellationToken);
        if (answer.BodyCase == Envelope.BodyOneofCase.ChatReceipt && answer.ChatReceipt.MessageId.Span.SequenceEqual(item.MessageId))
        {
            if (_store.MarkDelivered(_session.Fingerprint, item.MessageId, _time.GetUtcNow()))
            {
                _delivered(item.MessageId);
            }

            _answered(true);
            return true;
        }

        _answered(false);

        // NOT_FRIENDS (the friend removed this node, or has not stored the acceptance yet) and other refusals stay
        // in the outbox for the next session or pass; only a busy peer pauses the courier.
        return !Retry(answer, "ChatMessage");
    }

    /// <summary>Logs a refusal; true when it is worth trying again soon (the peer is busy or failed inside).</summary>
    private bool Retry(Envelope answer, string kind)
    {
        var code = answer.BodyCase == Envelope.BodyOneofCase.Error ? answer.Error.Code : ErrorCode.Unspecified;
        SocialLog.PeerError(_logger, _session.Fingerprint.Short, kind, code.ToString(), answer.Error?.Message ?? answer.BodyCase.ToString());
        return code is ErrorCode.RateLimited or ErrorCode.Internal;
    }
}
