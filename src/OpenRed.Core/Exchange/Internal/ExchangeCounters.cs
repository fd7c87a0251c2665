using System.Collections.Concurrent;

namespace OpenRed.Core.Exchange.Internal;

/// <summary>What peer exchange did since start, for <c>status</c>.</summary>
internal sealed class ExchangeCounters
{
    private readonly ConcurrentDictionary<ExchangeRejection, long> _ignored = new();
    private readonly ConcurrentDictionary<string, long> _disconnected = new(StringComparer.Ordinal);
    private long _sent;
    private long _received;
    private long _taken;

    public long Sent => Interlocked.Read(ref _sent);

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Entries that became (or refreshed) a candidate.</summary>
    public long Taken => Interlocked.Read(ref _taken);

    public IReadOnlyDictionary<ExchangeRejection, long> Ignored => new SortedDictionary<ExchangeRejection, long>(_ignored);

    /// <summary>Peers disconnected for breaking the limits, by rule (too_often, too_many).</summary>
    public IReadOnlyDictionary<string, long> Disconnected => new SortedDictionary<string, long>(_disconnected, StringComparer.Ordinal);

    public long DisconnectedTotal => _disconnected.Values.Sum();

    public void MessageSent() => Interlocked.Increment(ref _sent);

    public void MessageReceived() => Interlocked.Increment(ref _received);

    public void EntryTaken() => Interlocked.Increment(ref _taken);

    public void EntryIgnored(ExchangeRejection why) => _ignored.AddOrUpdate(why, 1, static (_, n) => n + 1);

    public void PeerDisconnected(string rule) => _disconnected.AddOrUpdate(rule, 1, static (_, n) => n + 1);
}
