using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Mesh.Internal;

/// <summary>
/// Envelope kind → the one module that handles it. Registration closes before the first connection is accepted or
/// dialled (<see cref="Seal"/>), so no session can see an envelope that a module meant to handle go unrouted; the
/// table is then read without a lock. A request of a kind nobody handles is answered UNSUPPORTED.
/// </summary>
internal sealed class EnvelopeRouter
{
    private readonly Dictionary<Envelope.BodyOneofCase, EnvelopeHandler> _handlers = [];
    private volatile bool _sealed;

    public bool IsSealed => _sealed;

    public IReadOnlyCollection<Envelope.BodyOneofCase> Kinds => _handlers.Keys;

    /// <exception cref="InvalidOperationException">After <see cref="Seal"/>, or a kind registered twice.</exception>
    public void Register(Envelope.BodyOneofCase kind, EnvelopeHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_handlers)
        {
            if (_sealed)
            {
                throw new InvalidOperationException($"handlers are registered before the mesh starts; {kind} came too late");
            }

            if (kind == Envelope.BodyOneofCase.None || !_handlers.TryAdd(kind, handler))
            {
                throw new InvalidOperationException($"{kind} has a handler already");
            }
        }
    }

    public void Seal()
    {
        lock (_handlers)
        {
            _sealed = true;
        }
    }

    public ValueTask DispatchAsync(PeerSession session, Envelope envelope, CancellationToken cancellationToken)
    {
        if (_sealed && _handlers.TryGetValue(envelope.BodyCase, out var handler))
        {
            return handler(session, envelope, cancellationToken);
        }

        // A body this node knows but whose module does not run here (yet).
        return envelope.Id != 0
            ? session.ReplyAsync(envelope, Unsupported, cancellationToken)
            : ValueTask.CompletedTask;
    }

    private static Envelope Unsupported => new()
    {
        Error = new Error { Code = ErrorCode.Unsupported, Message = "not supported by this node" },
    };
}
