using Google.Protobuf;
using OpenRed.Core.Mesh;
using OpenRed.Core.Node;
using OpenRed.Core.Security;
using OpenRed.Core.Social.Internal;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Social;

/// <summary>The envelopes of section 9 from peers. Every answer goes out only after what it confirms is stored.</summary>
internal sealed partial class SocialModule
{
    private const int IdBytes = 16;

    private ValueTask OnProfileRequestAsync(PeerSession session, Envelope request, CancellationToken cancellationToken)
    {
        var own = _store.GetOwnProfile();
        var profile = new Profile
        {
            DisplayName = own.DisplayName,
            Bio = own.Bio,
            Profession = own.Profession,
            PhotoUrn = own.PhotoUrn,
            UpdatedAtMs = (ulong)Math.Max(0, own.UpdatedAt.ToUnixTimeMilliseconds()),
        };
        if (own.Thumbnail is { } t)
        {
            profile.Thumbnail = ByteString.CopyFrom(t.Bytes);
            profile.ThumbnailType = t.MediaType;
        }

        return session.ReplyAsync(request, new Envelope { Profile = profile }, cancellationToken);
    }

    private async ValueTask OnFriendRequestAsync(PeerSession session, Envelope request, CancellationToken cancellationToken)
    {
        var peer = session.Fingerprint;
        var body = request.FriendRequest;
        if (IsBlocked(peer))
        {
            // Silent: the blocked peer learns nothing, and nothing is stored.
            await session.ReplyAsync(request, new Envelope { Ack = new Ack() }, cancellationToken);
            return;
        }

        if (!TakeFriendToken(peer))
        {
            Interlocked.Increment(ref _rateLimited);
            await ReplyErrorAsync(session, request, ErrorCode.RateLimited, "too many friend requests", cancellationToken);
            return;
        }

        var problem = body.RequestId.Length != IdBytes ? "request_id is not 16 bytes"
            : SocialText.TooLong("message", body.Message, Options.MaxFriendMessageChars);
        if (problem is not null)
        {
            SocialLog.Refused(_logger, "FriendRequest", peer.Short, problem);
            await ReplyErrorAsync(session, request, ErrorCode.BadRequest, problem, cancellationToken);
            return;
        }

        var (outcome, dropped) = _store.RequestIn(peer, session.NodeId, body.RequestId.ToByteArray(), body.Message, Options.MaxPendingRequests, _time.GetUtcNow());
        Refresh(peer);
        if (dropped is not null)
        {
            Interlocked.Increment(ref _requestsDropped);
            SocialLog.RequestDroppedFull(_logger, dropped.Short);
            Refresh(dropped);
        }

        await session.ReplyAsync(request, new Envelope { Ack = new Ack() }, cancellationToken);
        switch (outcome)
        {
            case IncomingRequestOutcome.Stored:
                Interlocked.Increment(ref _requestsReceived);
                SocialLog.RequestStored(_logger, peer.Short);
                _context.Events.Publish(new FriendRequestReceivedEvent(_time.GetUtcNow(), peer, session.NodeId, body.Message));
                break;
            case IncomingRequestOutcome.Friends:
                _context.Events.Publish(new FriendResponseReceivedEvent(_time.GetUtcNow(), peer, session.NodeId, true));
                Kick(peer);
                break;
        }
    }

    private async ValueTask OnFriendResponseAsync(PeerSession session, Envelope request, CancellationToken cancellationToken)
    {
        var peer = session.Fingerprint;
        if (!TakeFriendToken(peer))
        {
            Interlocked.Increment(ref _rateLimited);
            await ReplyErrorAsync(session, request, ErrorCode.RateLimited, "too many friend responses", cancellationToken);
            return;
        }

        var body = request.FriendResponse;
        var outcome = body.RequestId.Length != IdBytes
            ? IncomingResponseOutcome.NotPending
            : _store.ResponseIn(peer, body.RequestId.ToByteArray(), body.Accepted, _time.GetUtcNow());
        if (outcome == IncomingResponseOutcome.NotPending)
        {
            SocialLog.Refused(_logger, "FriendResponse", peer.Short, "no pending request to that peer with that id");
            await ReplyErrorAsync(session, request, ErrorCode.NotFound, "no pending request with that id", cancellationToken);
            return;
        }

        Refresh(peer);
        await session.ReplyAsync(request, new Envelope { Ack = new Ack() }, cancellationToken);
        _context.Events.Publish(new FriendResponseReceivedEvent(_time.GetUtcNow(), peer, session.NodeId, outcome == IncomingResponseOutcome.Accepted));
        Kick(peer);
    }

    private async ValueTask OnChatMessageAsync(PeerSession session, Envelope request, CancellationToken cancellationToken)
    {
        var peer = session.Fingerprint;
        if (!IsFriend(peer))
        {
            Interlocked.Increment(ref _notFriends);
            await ReplyErrorAsync(session, request, ErrorCode.NotFriends, "not friends", cancellationToken);
            return;
        }

        var body = request.ChatMessage;
        var problem = body.MessageId.Length != IdBytes ? "message_id is not 16 bytes" : SocialText.ChatProblem(body.Text, Options);
        if (problem is not null)
        {
            SocialLog.Refused(_logger, "ChatMessage", peer.Short, problem);
            await ReplyErrorAsync(session, request, ErrorCode.BadRequest, problem, cancellationToken);
            return;
        }

        var id = body.MessageId.ToByteArray();
        var sentAt = (long)Math.Min(body.SentAtMs, (ulong)DateTimeOffset.MaxValue.ToUnixTimeMilliseconds());
        if (_store.InsertIncoming(peer, id, body.Text, sentAt, _time.GetUtcNow()))
        {
            Interlocked.Increment(ref _messagesReceived);
            _context.Events.Publish(new ChatMessageReceivedEvent(_time.GetUtcNow(), peer, session.NodeId, Convert.ToHexStringLower(id), body.Text));
        }
        else
        {
            Interlocked.Increment(ref _duplicates);
        }

        await session.ReplyAsync(request, new Envelope { ChatReceipt = new ChatReceipt { MessageId = body.MessageId } }, cancellationToken);
    }

    private static ValueTask ReplyErrorAsync(PeerSession session, Envelope request, ErrorCode code, string message, CancellationToken cancellationToken) =>
        session.ReplyAsync(request, new Envelope { Error = new Error { Code = code, Message = message } }, cancellationToken);

    /// <summary>Asks the peer for its profile and keeps it when it passes the checks; null when it did not come.</summary>
    private async Task<PeerProfile?> FetchProfileAsync(PeerSession session, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.ProfileTimeout);
        Envelope answer;
        try
        {
            answer = await session.RequestAsync(new Envelope { ProfileRequest = new ProfileRequest() }, timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or SessionClosedException or IOException
            or ObjectDisposedException or InvalidOperationException)
        {
            SocialLog.ProfileFetchFailed(_logger, session.Fingerprint.Short, e.Message);
            return null;
        }

        if (answer.BodyCase != Envelope.BodyOneofCase.Profile)
        {
            SocialLog.ProfileFetchFailed(_logger, session.Fingerprint.Short, answer.BodyCase.ToString());
            return null;
        }

        var p = answer.Profile;
        var problem = SocialText.TooLong("display name", p.DisplayName, Options.MaxDisplayNameChars)
            ?? SocialText.TooLong("bio", p.Bio, Options.MaxBioChars)
            ?? SocialText.TooLong("profession", p.Profession, Options.MaxProfessionChars);
        if (problem is not null)
        {
            Interlocked.Increment(ref _profilesRefused);
            SocialLog.ProfileRefused(_logger, session.Fingerprint.Short, problem);
            return null;
        }

        Thumbnail? thumbnail = null;
        if (!p.Thumbnail.IsEmpty)
        {
            var bad = ThumbnailCheck.Problem(p.Thumbnail.Span, p.ThumbnailType, Options);
            if (bad is null)
            {
                var (w, h) = ThumbnailCheck.Size(p.Thumbnail.Span);
                thumbnail = new Thumbnail(p.Thumbnail.ToByteArray(), p.ThumbnailType, w, h);
            }
            else
            {
                Interlocked.Increment(ref _thumbnailsDropped);
                SocialLog.ThumbnailDropped(_logger, session.Fingerprint.Short, bad);
            }
        }

        var now = _time.GetUtcNow();
        var updated = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(p.UpdatedAtMs, (ulong)DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));
        var profile = new SocialProfile(p.DisplayName, p.Bio, p.Profession, thumbnail, Phoenix.UrnName.IsValid(p.PhotoUrn) ? p.PhotoUrn : "", updated);
        _store.PutPeerProfile(session.Fingerprint, session.NodeId, profile, now);
        Interlocked.Increment(ref _profilesFetched);
        return new PeerProfile(session.Fingerprint, session.NodeId, profile, now, true);
    }
}
