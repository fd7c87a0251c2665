namespace OpenRed.Core.Phoenix.Internal;

/// <summary>Query ids seen in the last <see cref="PhoenixOptions.QueryIdMemory"/>, so that a query is forwarded once.</summary>
internal sealed class SeenQueries(PhoenixOptions options, TimeProvider time)
{
    private readonly Dictionary<UInt128, long> _seen = [];
    private readonly Queue<(UInt128 Id, long At)> _order = new();
    private readonly Lock _lock = new();

    /// <summary>True when the id is new (and now remembered); false when it was seen within the memory.</summary>
    public bool TryFirstSight(ReadOnlySpan<byte> queryId)
    {
        var id = new UInt128(
            BitConverter.ToUInt64(queryId[..8]), BitConverter.ToUInt64(queryId[8..16]));
        var now = time.GetTimestamp();
        lock (_lock)
        {
            while (_order.TryPeek(out var oldest)
                && (time.GetElapsedTime(oldest.At, now) > options.QueryIdMemory || _order.Count >= options.MaxRememberedQueryIds))
            {
                _order.Dequeue();
                if (_seen.TryGetValue(oldest.Id, out var at) && at == oldest.At)
                {
                    _seen.Remove(oldest.Id);
                }
            }

            if (_seen.ContainsKey(id))
            {
                return false;
            }

            _seen[id] = now;
            _order.Enqueue((id, now));
            return true;
        }
    }
}
