using System.Threading.Channels;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Security.Internal;

/// <summary>A request we sent that awaits its answer(s); the receive loop offers answers, the caller reads them.</summary>
internal sealed class SessionPendingRequest
{
    private readonly Channel<Envelope> _answers;
    private readonly Func<Envelope, bool> _isFinal;

    public SessionPendingRequest(int capacity, Func<Envelope, bool> isFinal)
    {
        _answers = Channel.CreateBounded<Envelope>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _isFinal = isFinal;
    }

    public ChannelReader<Envelope> Answers => _answers.Reader;

    /// <summary>Returns true when this answer ends the request.</summary>
    public bool Offer(Envelope answer)
    {
        if (!_answers.Writer.TryWrite(answer))
        {
            // The caller stopped reading; failing its request is better than buffering without bound.
            _answers.Writer.TryComplete(new InvalidOperationException("too many unread answers to one request"));
            return true;
        }

        if (_isFinal(answer))
        {
            _answers.Writer.TryComplete();
            return true;
        }

        return false;
    }

    public void Fail(Exception error) => _answers.Writer.TryComplete(error);
}
