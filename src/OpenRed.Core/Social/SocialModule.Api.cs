using System.Net;
using System.Security.Cryptography;
using OpenRed.Core.Identity;
using OpenRed.Core.Mesh;
using OpenRed.Core.Social.Internal;

namespace OpenRed.Core.Social;

/// <summary>The operations behind the prompt's commands (<see cref="ISocial"/>).</summary>
internal sealed partial class SocialModule
{
    public SocialProfile GetOwnProfile() => _store.GetOwnProfile();

    public SocialProfile SetProfile(string? displayName, string? profession, string? bio)
    {
        var problem = (displayName is null ? null : SocialText.TooLong("the name", displayName, Options.MaxDisplayNameChars))
            ?? (profession is null ? null : SocialText.TooLong("the profession", profession, Options.MaxProfessionChars))
            ?? (bio is null ? null : SocialText.TooLong("the bio", bio, Options.MaxBioChars));
        if (problem is not null)
        {
            throw new SocialException(problem);
        }

        var own = _store.GetOwnProfile();
        var updated = own with
        {
            DisplayName = displayName ?? own.DisplayName,
            Profession = profession ?? own.Profession,
            Bio = bio ?? own.Bio,
            UpdatedAt = _time.GetUtcNow(),
        };
        _store.SetOwnProfile(updated);
        return updated;
    }

    public async Task<SocialProfile> SetPhotoAsync(string path, CancellationToken cancellationToken)
    {
        var (thumbnail, photo) = await Task.Run(() =>
        {
            var bytes = ThumbnailMaker.ReadPhoto(path, Options);
            return (ThumbnailMaker.FromBytes(bytes, Options), ThumbnailMaker.CleanPhoto(bytes, Options));
        }, cancellationToken);
        var urn = await PublishPhotoAsync(photo, cancellationToken);
        var updated = _store.GetOwnProfile() with { Thumbnail = thumbnail, PhotoUrn = urn, UpdatedAt = _time.GetUtcNow() };
        _store.SetOwnProfile(updated);
        return updated;
    }

    /// <summary>
    /// Publishes the cleaned photo through Phoenix from a file of its own in the data directory: the publisher keeps
    /// the source to regenerate chunks (section 8), and the user's original, with its metadata, is never published.
    /// </summary>
    private async Task<string> PublishPhotoAsync(Thumbnail photo, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(_context.Node.DataDirectory.Root, "social");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, photo.MediaType == "image/webp" ? "profile-photo.webp" : "profile-photo.jpg");
        var temporary = file + ".tmp";
        await File.WriteAllBytesAsync(temporary, photo.Bytes, cancellationToken);
        File.Move(temporary, file, overwrite: true);
        Phoenix.IPhoenix phoenix;
        try
        {
            phoenix = _context.Node.Phoenix;
        }
        catch (InvalidOperationException)
        {
            return ""; // A node without Phoenix shares the thumbnail only.
        }

        try
        {
            var published = await phoenix.PublishAsync(file, SocialProfile.PhotoUrnName, photo.MediaType, cancellationToken);
            return published.Name;
        }
        catch (Phoenix.PhoenixException e)
        {
            throw new SocialException($"the photo could not be published, the profile is unchanged: {e.Message}", e);
        }
    }

    public async Task<PeerProfile?> GetProfileAsync(Fingerprint peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (_context.Mesh.Find(peer) is { } session && await FetchProfileAsync(session, cancellationToken) is { } fresh)
        {
            return fresh;
        }

        return _store.GetPeerProfile(peer);
    }

    public PeerMatch<PeerRef> FindPeers(string name)
    {
        var known = new Dictionary<Fingerprint, PeerRef>();
        void Add(Fingerprint f, string nodeId) => known.TryAdd(f, new PeerRef(f, nodeId));
        foreach (var s in _context.Mesh.Sessions)
        {
            Add(s.Fingerprint, s.NodeId);
        }

        foreach (var r in _store.AllPeers())
        {
            Add(r.Fingerprint, r.NodeId);
        }

        foreach (var l in _context.Links.All())
        {
            Add(l.Fingerprint, l.NodeId);
        }

        foreach (var p in _store.ProfilePeers())
        {
            Add(p.Fingerprint, p.NodeId);
        }

        known.Remove(_context.Mesh.Self);
        return PeerNames.Resolve(name, known.Values.OrderBy(p => p.NodeId, StringComparer.Ordinal).ThenBy(p => p.Fingerprint), p => p.Fingerprint, p => p.NodeId);
    }

    public IReadOnlyList<FriendEntry> GetFriends()
    {
        var online = _context.Mesh.Sessions.Select(s => s.Fingerprint).ToHashSet();
        return [.. _store.AllPeers()
            .OrderBy(r => r.State).ThenBy(r => r.NodeId, StringComparer.Ordinal).ThenBy(r => r.Fingerprint)
            .Select(r => Entry(r, online.Contains(r.Fingerprint)))];
    }

    public FriendEntry AddFriend(PeerRef peer, string message)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(message);
        if (peer.Fingerprint == _context.Mesh.Self)
        {
            throw new SocialException("that is this node");
        }

        if (SocialText.TooLong("the message", message, Options.MaxFriendMessageChars) is { } problem)
        {
            throw new SocialException(problem);
        }

        var (outcome, row) = _store.RequestOut(peer.Fingerprint, peer.NodeId, message, RandomNumberGenerator.GetBytes(16), Options.MaxPendingRequests, _time.GetUtcNow());
        Refresh(peer.Fingerprint);
        switch (outcome)
        {
            case AddOutcome.AlreadyFriends:
                throw new SocialException($"already friends with {peer.NodeId}");
            case AddOutcome.AlreadyRequested:
                throw new SocialException($"a request to {peer.NodeId} is pending already; 'friend remove' withdraws it");
            case AddOutcome.Blocked:
                throw new SocialException($"{peer.NodeId} is blocked; 'unblock' first");
            case AddOutcome.TooMany:
                throw new SocialException($"{Options.MaxPendingRequests} requests are pending already; wait for answers or withdraw some");
        }

        Deliver(peer.Fingerprint);

        return Entry(row!, _couriers.ContainsKey(peer.Fingerprint));
    }

    public FriendEntry Accept(Fingerprint peer)
    {
        var row = _store.Accept(peer, _time.GetUtcNow()) ?? throw new SocialException("no pending request from that peer");
        Refresh(peer);
        Deliver(peer);
        return Entry(row, _couriers.ContainsKey(peer));
    }

    public void Decline(Fingerprint peer)
    {
        if (!_store.Decline(peer, _time.GetUtcNow()))
        {
            throw new SocialException("no pending request from that peer");
        }

        Refresh(peer);
        Deliver(peer);
    }

    public void Remove(Fingerprint peer)
    {
        if (!_store.Remove(peer))
        {
            throw new SocialException("that peer is neither a friend nor asked by this node");
        }

        Refresh(peer);
    }

    public async Task BlockAsync(PeerRef peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer.Fingerprint == _context.Mesh.Self)
        {
            throw new SocialException("that is this node");
        }

        _store.Block(peer.Fingerprint, peer.NodeId, _time.GetUtcNow());
        Refresh(peer.Fingerprint);
        if (_context.Mesh.Find(peer.Fingerprint) is { } session)
        {
            await session.CloseAsync("blocked", cancellationToken);
        }
    }

    public bool Unblock(Fingerprint peer)
    {
        var removed = _store.Unblock(peer);
        Refresh(peer);
        return removed;
    }

    public ChatEntry SendMessage(Fingerprint friend, string text)
    {
        ArgumentNullException.ThrowIfNull(friend);
        ArgumentNullException.ThrowIfNull(text);
        if (!IsFriend(friend))
        {
            throw new SocialException("not a friend: messages go only to friends ('friend add' first)");
        }

        if (SocialText.ChatProblem(text, Options) is { } problem)
        {
            throw new SocialException(problem);
        }

        var entry = _store.InsertOutgoing(friend, RandomNumberGenerator.GetBytes(16), text, _time.GetUtcNow());
        Deliver(friend);
        return entry with { NodeId = _store.GetPeer(friend)?.NodeId ?? "" };
    }

    public IReadOnlyList<ChatEntry> GetConversation(Fingerprint peer, int limit) => _store.Conversation(peer, limit);

    public IReadOnlyList<ChatEntry> TakeUnread() => _store.TakeUnread();

    public IReadOnlyDictionary<Fingerprint, int> UnreadCounts() => _store.UnreadCounts();

    private static FriendEntry Entry(FriendRow r, bool online) =>
        new(r.Fingerprint, r.NodeId, r.State, r.Message, r.Since, r.Acked, online);

    /// <summary>
    /// Something is owed to <paramref name="peer"/> (a request, a decision, a message): its courier sends it now, or,
    /// without a session, one dial to the peer's last verified address so it goes out without waiting for the peer
    /// or the dial scheduler (which leaves alone a peer the user disconnected). One dial at a time per peer: a burst of
    /// messages costs one. A dial that fails leaves it all in the store for the next session.
    /// </summary>
    private void Deliver(Fingerprint peer)
    {
        if (_couriers.ContainsKey(peer))
        {
            Kick(peer);
            return;
        }

        var link = _context.Links.All().FirstOrDefault(l => l.Fingerprint == peer);
        if (link is null || link.Port <= 0 || !IPAddress.TryParse(link.Address, out var address) || !_dialling.TryAdd(peer, 0))
        {
            return;
        }

        _tasks.Track(DialAsync(peer, new IPEndPoint(address, link.Port), _context.Stopping));
    }

    private async Task DialAsync(Fingerprint peer, IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            SocialLog.DialingOwed(_logger, peer.Short, endpoint.ToString());
            await _context.Mesh.ConnectAsync(endpoint, peer, cancellationToken);
        }
        catch (Exception e) when (e is ConnectException or OperationCanceledException or ObjectDisposedException)
        {
            SocialLog.DialFailed(_logger, peer.Short, e.Message);
        }
        finally
        {
            _dialling.TryRemove(peer, out _);
        }
    }
}
