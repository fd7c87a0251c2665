using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Common;
using OpenRed.Core.Identity;
using OpenRed.Core.Limits;
using OpenRed.Core.Mesh;
using OpenRed.Core.Modules;
using OpenRed.Core.Social.Internal;
using OpenRed.Core.Storage;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Social;

/// <summary>
/// The social layer as a module (section 9): profiles served and fetched, the friend book, chat with a persistent
/// outbox. It answers the handshake, the session table and the dial policy about blocked peers and friends from an
/// in-memory mirror of its table, so those hot paths never touch the database.
/// </summary>
internal sealed partial class SocialModule : INodeModule, IPeerPolicy, ISocial
{
    private readonly ModuleContext _context;
    private readonly SocialStore _store;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TaskGroup _tasks;
    private readonly ConcurrentDictionary<Fingerprint, FriendState> _states = new();
    private readonly ConcurrentDictionary<Fingerprint, Courier> _couriers = new();
    private readonly ConcurrentDictionary<Fingerprint, byte> _dialling = new();
    private readonly KeyedTokenBuckets<Fingerprint> _friendRate;
    private readonly Lock _rateLock = new();
    private readonly Lock _refreshLock = new();
    private long _profilesFetched;
    private long _profilesRefused;
    private long _thumbnailsDropped;
    private long _requestsReceived;
    private long _requestsDropped;
    private long _rateLimited;
    private long _messagesReceived;
    private long _duplicates;
    private long _notFriends;
    private long _receipts;

    public SocialModule(ModuleContext context)
    {
        _context = context;
        Options = context.Options.Social;
        _store = new SocialStore(context.Database);
        _logger = context.Loggers.CreateLogger<SocialModule>();
        _time = context.Time;
        _tasks = new TaskGroup(e => SocialLog.TaskFailed(_logger, e));
        _friendRate = new KeyedTokenBuckets<Fingerprint>(Options.FriendRequestsPerSecond, Options.FriendRequestBurst, 4096, _time);
    }

    public string Name => "social";

    public IReadOnlyList<Migration> Migrations => SocialSchema.All;

    public SocialOptions Options { get; }

    internal SocialStore Store => _store;

    public SocialCounters Counters => new(
        Interlocked.Read(ref _profilesFetched), Interlocked.Read(ref _profilesRefused), Interlocked.Read(ref _thumbnailsDropped),
        Interlocked.Read(ref _requestsReceived), Interlocked.Read(ref _requestsDropped), Interlocked.Read(ref _rateLimited),
        Interlocked.Read(ref _messagesReceived), Interlocked.Read(ref _duplicates), Interlocked.Read(ref _notFriends),
        Interlocked.Read(ref _receipts));

    public void RegisterHandlers(ModuleHandlers handlers)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        if (!Options.Enabled)
        {
            return;
        }

        handlers.Handle(Envelope.BodyOneofCase.ProfileRequest, OnProfileRequestAsync);
        handlers.Handle(Envelope.BodyOneofCase.FriendRequest, OnFriendRequestAsync);
        handlers.Handle(Envelope.BodyOneofCase.FriendResponse, OnFriendResponseAsync);
        handlers.Handle(Envelope.BodyOneofCase.ChatMessage, OnChatMessageAsync);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Options.Enabled)
        {
            return Task.CompletedTask;
        }

        foreach (var row in _store.AllPeers())
        {
            _states[row.Fingerprint] = row.State;
        }

        _context.Mesh.SessionOpened += OnSessionOpened;
        _context.Mesh.SessionClosed += OnSessionClosed;
        return Task.CompletedTask;
    }

    public bool IsBlocked(Fingerprint fingerprint) => _states.TryGetValue(fingerprint, out var s) && s == FriendState.Blocked;

    public bool IsFriend(Fingerprint fingerprint) => _states.TryGetValue(fingerprint, out var s) && s == FriendState.Friend;

    public StatusSection? GetStatus()
    {
        var t = _store.Tally();
        var c = Counters;
        return new StatusSection(
            "social",
            [
                new StatusLine("friends", string.Create(CultureInfo.InvariantCulture,
                    $"{t.Friends} friends, {t.PendingIn} asking, {t.PendingOut} asked, {t.Blocked} blocked")),
                new StatusLine("chat", string.Create(CultureInfo.InvariantCulture,
                    $"{t.Outbox} in outbox, {t.Unread} unread; {c.MessagesReceived} received, {c.DuplicatesIgnored} duplicates, {c.NotFriendsRefused} refused (not friends)")),
                new StatusLine("profiles", string.Create(CultureInfo.InvariantCulture,
                    $"{c.ProfilesFetched} fetched, {c.ProfilesRefused} refused, {c.ThumbnailsDropped} thumbnails dropped; {c.RateLimited} friend requests rate-limited")),
            ],
            new Dictionary<string, object?>
            {
                ["friends"] = t.Friends,
                ["pending_in"] = t.PendingIn,
                ["pending_out"] = t.PendingOut,
                ["blocked"] = t.Blocked,
                ["outbox"] = t.Outbox,
                ["unread"] = t.Unread,
                ["profiles_fetched"] = c.ProfilesFetched,
                ["profiles_refused"] = c.ProfilesRefused,
                ["thumbnails_dropped"] = c.ThumbnailsDropped,
                ["requests_received"] = c.RequestsReceived,
                ["requests_dropped"] = c.RequestsDropped,
                ["rate_limited"] = c.RateLimited,
                ["messages_received"] = c.MessagesReceived,
                ["duplicates_ignored"] = c.DuplicatesIgnored,
                ["not_friends_refused"] = c.NotFriendsRefused,
                ["receipts_received"] = c.ReceiptsReceived,
            });
    }

    public async ValueTask DisposeAsync()
    {
        _context.Mesh.SessionOpened -= OnSessionOpened;
        _context.Mesh.SessionClosed -= OnSessionClosed;
        foreach (var courier in _couriers.Values)
        {
            courier.Stop();
        }

        await _tasks.WaitAsync(_context.Options.ShutdownTimeout);
        _store.Dispose();
    }

    /// <summary>Copies the peer's row into the mirror; under a lock, so a slower refresh never writes an older state.</summary>
    private void Refresh(Fingerprint peer)
    {
        lock (_refreshLock)
        {
            if (_store.GetPeer(peer) is { } row)
            {
                _states[peer] = row.State;
            }
            else
            {
                _states.TryRemove(peer, out _);
            }
        }
    }

    private bool TakeFriendToken(Fingerprint peer)
    {
        lock (_rateLock)
        {
            return _friendRate.TryTake(peer);
        }
    }

    private void OnSessionOpened(PeerSession session)
    {
        if (IsBlocked(session.Fingerprint))
        {
            return;
        }

        var courier = new Courier(
            session, _store, Options, _time, _logger,
            () => IsFriend(session.Fingerprint),
            id => _context.Events.Publish(new Node.ChatDeliveredEvent(_time.GetUtcNow(), session.Fingerprint, Convert.ToHexStringLower(id))),
            ok =>
            {
                if (ok)
                {
                    Interlocked.Increment(ref _receipts);
                }
            },
            _context.Stopping);
        if (_couriers.TryGetValue(session.Fingerprint, out var old))
        {
            old.Stop();
        }

        _couriers[session.Fingerprint] = courier;
        _tasks.Track(courier.RunAsync());
        _tasks.Track(FetchProfileAsync(session, _context.Stopping));
    }

    private void OnSessionClosed(PeerSession session)
    {
        if (_couriers.TryGetValue(session.Fingerprint, out var courier) && ReferenceEquals(courier.Session, session))
        {
            _couriers.TryRemove(new KeyValuePair<Fingerprint, Courier>(session.Fingerprint, courier));
            courier.Stop();
        }
    }

    private void Kick(Fingerprint peer)
    {
        if (_couriers.TryGetValue(peer, out var courier))
        {
            courier.Kick();
        }
    }
}
