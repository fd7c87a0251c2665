using System.Net;
using OpenRed.Core.Limits;

namespace OpenRed.Core.Mesh.Internal;

/// <summary>
/// Section 11's gate in front of the responder: connection rates and handshakes in progress, decided before any
/// cryptography so a flood costs us only an accept and a close.
/// </summary>
internal sealed class InboundAdmission
{
    private readonly MeshOptions _options;
    private readonly KeyedTokenBuckets<IPAddress> _perAddress;
    private readonly TokenBucket _global;
    private readonly LinkedList<Ticket> _inProgress = new();
    private readonly Lock _lock = new();

    public InboundAdmission(MeshOptions options, TimeProvider time)
    {
        _options = options;
        _perAddress = new KeyedTokenBuckets<IPAddress>(options.InboundPerAddressRate, options.InboundPerAddressBurst, 65536, time);
        _global = new TokenBucket(options.InboundGlobalRate, options.InboundGlobalBurst, time);
    }

    public int InProgress
    {
        get
        {
            lock (_lock)
            {
                return _inProgress.Count;
            }
        }
    }

    /// <summary>A ticket for a handshake that may proceed, or null with the reason it may not.</summary>
    public Ticket? TryAdmit(IPAddress remote, out string? refusal)
    {
        Ticket? evicted = null;
        Ticket ticket;
        lock (_lock)
        {
            // Per address first, then the caps in progress, and the node-wide budget last: a flooding address then
            // spends only its own tokens, never those every other peer needs (as the lighthouse's limiter does).
            if (!_perAddress.TryTake(remote))
            {
                refusal = "connection rate from this address exceeded";
                return null;
            }

            if (_inProgress.Count(t => t.Address.Equals(remote)) >= _options.MaxHandshakesPerAddress)
            {
                refusal = "too many handshakes in progress from this address";
                return null;
            }

            var prefix = AddressPrefix.SlotPrefix(remote);
            if (_inProgress.Count(t => t.Prefix == prefix) >= _options.MaxHandshakesPerPrefix)
            {
                refusal = "too many handshakes in progress from this network";
                return null;
            }

            if (!_global.TryTake())
            {
                refusal = "node-wide connection rate exceeded";
                return null;
            }

            if (_inProgress.Count >= _options.MaxHandshakesInProgress)
            {
                // Full: the oldest half-open handshake makes room (section 11).
                evicted = _inProgress.First!.Value;
                _inProgress.RemoveFirst();
            }

            ticket = new Ticket(this, remote, prefix);
            ticket.Node = _inProgress.AddLast(ticket);
        }

        evicted?.Evict();
        refusal = null;
        return ticket;
    }

    private void Release(Ticket ticket)
    {
        lock (_lock)
        {
            if (ticket.Node?.List is not null)
            {
                _inProgress.Remove(ticket.Node);
            }
        }
    }

    /// <summary>One admitted handshake; dispose when it ends either way. Its token fires when it is evicted.</summary>
    internal sealed class Ticket : IDisposable
    {
        private readonly InboundAdmission _owner;
        private readonly CancellationTokenSource _evicted = new();

        public Ticket(InboundAdmission owner, IPAddress address, string prefix)
        {
            _owner = owner;
            Address = address;
            Prefix = prefix;
        }

        public IPAddress Address { get; }

        public string Prefix { get; }

        public LinkedListNode<Ticket>? Node { get; set; }

        public CancellationToken Evicted => _evicted.Token;

        public void Evict()
        {
            try
            {
                _evicted.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The handshake ended on its own meanwhile.
            }
        }

        public void Dispose()
        {
            _owner.Release(this);
            _evicted.Dispose();
        }
    }
}
