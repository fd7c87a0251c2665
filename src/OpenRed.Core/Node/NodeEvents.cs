using System.Threading.Channels;

namespace OpenRed.Core.Node;

/// <summary>
/// Hands node events to each subscriber through its own bounded channel. Publishing never waits: the socket and
/// beacon loops that publish must not slow down for a slow reader (a terminal, an API client). When a reader falls
/// behind, its oldest unread events are dropped and counted in <see cref="NodeEventSubscription.Dropped"/>.
/// </summary>
internal sealed class NodeEvents
{
    private readonly List<NodeEventSubscription> _subscribers = [];
    private readonly Lock _lock = new();

    public NodeEventSubscription Subscribe(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var subscription = new NodeEventSubscription(capacity, Unsubscribe);
        lock (_lock)
        {
            _subscribers.Add(subscription);
        }

        return subscription;
    }

    public void Publish(NodeEvent e)
    {
        NodeEventSubscription[] subscribers;
        lock (_lock)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var s in subscribers)
        {
            s.Offer(e);
        }
    }

    /// <summary>Ends every subscription: readers see their channel complete.</summary>
    public void Complete()
    {
        NodeEventSubscription[] subscribers;
        lock (_lock)
        {
            subscribers = [.. _subscribers];
            _subscribers.Clear();
        }

        foreach (var s in subscribers)
        {
            s.Complete();
        }
    }

    private void Unsubscribe(NodeEventSubscription subscription)
    {
        lock (_lock)
        {
            _subscribers.Remove(subscription);
        }
    }
}

/// <summary>One reader's stream of node events; dispose it to stop receiving.</summary>
public sealed class NodeEventSubscription : IDisposable
{
    private readonly Channel<NodeEvent> _channel;
    private readonly Action<NodeEventSubscription> _unsubscribe;
    private long _dropped;
    private volatile bool _completed;

    internal NodeEventSubscription(int capacity, Action<NodeEventSubscription> unsubscribe)
    {
        _unsubscribe = unsubscribe;
        _channel = Channel.CreateBounded<NodeEvent>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = false });
    }

    public ChannelReader<NodeEvent> Reader => _channel.Reader;

    /// <summary>Events this reader lost because it fell behind by more than its capacity.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Dispose()
    {
        _unsubscribe(this);
        Complete();
    }

    internal void Offer(NodeEvent e)
    {
        // DropOldest by hand, so the loss is counted: the channel's own DropOldest mode drops silently.
        while (!_completed && !_channel.Writer.TryWrite(e))
        {
            if (!_channel.Reader.TryRead(out _))
            {
                return;
            }

            Interlocked.Increment(ref _dropped);
        }
    }

    internal void Complete()
    {
        _completed = true;
        _channel.Writer.TryComplete();
    }
}
