using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Common;
using OpenRed.Core.Exchange.Internal;
using OpenRed.Core.Mesh;
using OpenRed.Core.Modules;
using OpenRed.Core.Peers;
using OpenRed.Core.Peers.Internal;
using OpenRed.Core.Security;
using OpenRed.Core.Storage;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Exchange;

/// <summary>
/// Peer exchange (section 7): tells each session which peers this node met in the last hour, and turns the lists
/// it receives into candidates of the peer directory (through <see cref="IPeerIntake"/>), which the one dial
/// scheduler dials with the listed fingerprint as the expected one. A node started with --no-peer-exchange is
/// unlisted: it sends nothing, and its peers never list it; it still learns from the lists it receives.
/// </summary>
internal sealed class ExchangeModule : INodeModule
{
    private const string TooOften = "too_often";
    private const string TooMany = "too_many";

    private readonly ModuleContext _context;
    private readonly ExchangeOptions _options;
    private readonly ILogger _logger;
    private readonly RecentPeers _recent = new();
    private readonly ExchangeCounters _counters = new();
    private readonly ConcurrentDictionary<PeerSession, DateTimeOffset> _lastReceived = new();
    private readonly Dictionary<PeerSession, SendState> _sendStates = [];
    private readonly Lock _lock = new();
    private readonly AsyncSignal _wake = new();
    private readonly TaskGroup _tasks;
    private readonly CancellationTokenSource _stopping;
    private IPeerIntake? _intake;
    private Task? _loop;

    public ExchangeModule(ModuleContext context)
    {
        _context = context;
        _options = context.Options.Exchange;
        _logger = context.Loggers.CreateLogger<ExchangeModule>();
        _tasks = new TaskGroup(e => ExchangeLog.SendFailed(_logger, "?", e.Message));
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(context.Stopping);
    }

    public string Name => "exchange";

    public IReadOnlyList<Migration> Migrations { get; } = [];

    /// <summary>Counters, for tests that check a flood was counted.</summary>
    internal ExchangeCounters Counters => _counters;

    public void RegisterHandlers(ModuleHandlers handlers)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        handlers.Handle(Envelope.BodyOneofCase.PeerExchange, OnPeerExchangeAsync);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _intake = _context.Node.Module<IPeerIntake>();
        _context.Mesh.SessionOpened += OnSessionOpened;
        _context.Mesh.SessionClosed += OnSessionClosed;
        if (!_context.Options.Unlisted)
        {
            _loop = _tasks.Track(SendLoopAsync(_stopping.Token));
        }

        return Task.CompletedTask;
    }

    public StatusSection? GetStatus()
    {
        var now = _context.Time.GetUtcNow();
        var listable = _recent.Listable(now, _options.ListedFor).Count;
        var ignored = _counters.Ignored.Values.Sum();
        var c = _counters;
        var mode = _context.Options.Unlisted
            ? "off (--no-peer-exchange): unlisted, sends no list"
            : string.Create(CultureInfo.InvariantCulture, $"on, {listable} peers listable");
        return new StatusSection(
            "exchange",
            [
                new StatusLine("peer exchange", mode),
                new StatusLine("exchanged", string.Create(CultureInfo.InvariantCulture,
                    $"{c.Sent} lists sent, {c.Received} received; {c.Taken} entries taken, {ignored} ignored; {c.DisconnectedTotal} peers disconnected for breaking the limits")),
            ],
            new Dictionary<string, object?>
            {
                ["enabled"] = !_context.Options.Unlisted,
                ["listable"] = listable,
                ["sent"] = c.Sent,
                ["received"] = c.Received,
                ["entries_taken"] = c.Taken,
                ["entries_ignored"] = c.Ignored.ToDictionary(p => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Key.ToString()), p => p.Value),
                ["peers_disconnected"] = c.Disconnected,
            });
    }

    public async ValueTask DisposeAsync()
    {
        _context.Mesh.SessionOpened -= OnSessionOpened;
        _context.Mesh.SessionClosed -= OnSessionClosed;
        await _stopping.CancelAsync();
        await _tasks.WaitAsync(_options.SendTimeout);
        _stopping.Dispose();
    }

    private ValueTask OnPeerExchangeAsync(PeerSession session, Envelope envelope, CancellationToken cancellationToken)
    {
        var now = _context.Time.GetUtcNow();
        var list = envelope.PeerExchange;
        _counters.MessageReceived();
        var previous = _lastReceived.TryGetValue(session, out var p) ? p : (DateTimeOffset?)null;
        _lastReceived[session] = now;
        if (!PeerExchangeRules.ArrivalAllowed(previous, now, _options))
        {
            Disconnect(session, TooOften, "peer exchange sent more often than once a minute");
        }
        else if (!PeerExchangeRules.CountAllowed(list.Peers.Count, _options))
        {
            Disconnect(session, TooMany, "peer exchange with more than " + _options.MaxEntries.ToString(CultureInfo.InvariantCulture) + " entries");
        }
        else
        {
            Take(session, list, now);
        }

        // Sent as a request by a peer that wants to know it arrived: the Ack is all it gets.
        return envelope.Id != 0 && session.IsOpen
            ? session.ReplyAsync(envelope, new Envelope { Ack = new Ack() }, cancellationToken)
            : ValueTask.CompletedTask;
    }

    private void Take(PeerSession session, PeerExchange list, DateTimeOffset now)
    {
        var self = _context.Mesh.Self;
        var from = Endpoints.Normalize(session.Remote.Address);
        var taken = 0;
        foreach (var info in list.Peers)
        {
            var entry = PeerExchangeRules.Check(info, from, self, session.Fingerprint, out var rejection);
            if (entry is null)
            {
                _counters.EntryIgnored(rejection);
                ExchangeLog.EntryIgnored(_logger, session.Fingerprint.Short, info.Host, info.Port, rejection);
                continue;
            }

            var hints = new PeerHints(entry.Sector, entry.NodeId, session.Fingerprint);
            if (_intake?.AddCandidate(PeerAddress.From(entry.Address, entry.Port), PeerSource.Exchange, entry.Fingerprint, hints) == true)
            {
                _counters.EntryTaken();
                taken++;
            }
        }

        ExchangeLog.Received(_logger, session.Fingerprint.Short, taken, list.Peers.Count);
    }

    private void Disconnect(PeerSession session, string rule, string reason)
    {
        _counters.PeerDisconnected(rule);
        ExchangeLog.Violation(_logger, session.Fingerprint.Short, reason);
        _intake?.MarkQuiet(session.Fingerprint);

        // Not awaited on the receive loop that runs this handler: the close waits for that loop to end.
        _tasks.Track(session.CloseAsync(reason, CancellationToken.None));
    }

    private void OnSessionOpened(PeerSession session)
    {
        if (!session.Peer.Unlisted && session.DialAddress is { } dial)
        {
            _recent.Opened(session.Fingerprint, session.NodeId, session.Sector, Endpoints.Normalize(dial), _context.Time.GetUtcNow());
        }

        _wake.Set();
    }

    /// <summary>
    /// Drops the state of sessions that are no longer open, at every pass. A session the duplicate rule displaced
    /// closes without a SessionClosed (its peer's newer session is the one the mesh announces), and a pass may add
    /// state for a session that closed during it: either would otherwise keep the dead session for ever.
    /// </summary>
    private void ForgetClosed()
    {
        foreach (var session in _lastReceived.Keys.Where(s => !s.IsOpen))
        {
            _lastReceived.TryRemove(session, out _);
        }

        lock (_lock)
        {
            foreach (var session in _sendStates.Keys.Where(s => !s.IsOpen).ToList())
            {
                _sendStates.Remove(session);
            }
        }
    }

    private void OnSessionClosed(PeerSession session)
    {
        _recent.Closed(session.Fingerprint, _context.Time.GetUtcNow());
        _lastReceived.TryRemove(session, out _);
        lock (_lock)
        {
            _sendStates.Remove(session);
        }

        // A list too long is refused by the envelope guard before it reaches the handler; it is still this rule.
        if (session.CloseInfo is { IsViolation: true } info && info.Reason.StartsWith("PeerExchange.", StringComparison.Ordinal))
        {
            _counters.PeerDisconnected(TooMany);
        }
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                Pass(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug in one pass must not end peer exchange for the life of the node.
                ExchangeLog.PassFailed(_logger, e);
            }

            try
            {
                await _wake.WaitAsync(_options.Tick, _context.Time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private void Pass(CancellationToken cancellationToken)
    {
        var now = _context.Time.GetUtcNow();
        var listable = _recent.Listable(now, _options.ListedFor);
        ForgetClosed();
        foreach (var session in _context.Mesh.Sessions)
        {
            if (!session.IsOpen)
            {
                continue;
            }

            var entries = SendSchedule.EntriesFor(listable, session.Fingerprint, Endpoints.Normalize(session.Remote.Address), _options.MaxEntries);
            var key = SendSchedule.Key(entries);
            SendState state;
            lock (_lock)
            {
                if (!_sendStates.TryGetValue(session, out state!))
                {
                    _sendStates[session] = state = new SendState();
                }

                if (!SendSchedule.Due(state, key, entries.Count == 0, now, _options))
                {
                    continue;
                }

                state.Sending = true;
                state.LastSentAt = now;
                state.LastKey = key;
            }

            _tasks.Track(SendAsync(session, state, SendSchedule.Message(entries), entries.Count, cancellationToken));
        }
    }

    private async Task SendAsync(PeerSession session, SendState state, Envelope message, int count, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.SendTimeout);
        try
        {
            await session.SendAsync(message, timeout.Token);
            _counters.MessageSent();
            ExchangeLog.Sent(_logger, session.Fingerprint.Short, count);
        }
        catch (Exception e) when (e is OperationCanceledException or SessionClosedException or InvalidOperationException or IOException or ObjectDisposedException)
        {
            ExchangeLog.SendFailed(_logger, session.Fingerprint.Short, e.Message);
        }
        finally
        {
            lock (_lock)
            {
                state.Sending = false;
            }
        }
    }
}
