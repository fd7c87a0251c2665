using System.Collections.Concurrent;
using System.Threading.Channels;
using OpenRed.Core.Peers;

namespace OpenRed.Core.Tests.Peers;

/// <summary>Stands in for the node's dial: every call waits until the test answers it (or its token is cancelled).</summary>
internal sealed class FakeDialer
{
    private readonly Channel<PendingDial> _calls = Channel.CreateUnbounded<PendingDial>();
    private readonly ConcurrentDictionary<PeerAddress, int> _active = new();

    /// <summary>Set when two dials to one address ever ran at once.</summary>
    public bool Overlapped { get; private set; }

    public async Task<DialOutcome> DialAsync(DialRequest request, CancellationToken cancellationToken)
    {
        if (_active.AddOrUpdate(request.Address, 1, (_, n) => n + 1) > 1)
        {
            Overlapped = true;
        }

        var pending = new PendingDial(request, cancellationToken);
        try
        {
            await using var registration = cancellationToken.Register(() => pending.Answer.TrySetCanceled(cancellationToken));
            _calls.Writer.TryWrite(pending);
            return await pending.Answer.Task;
        }
        finally
        {
            _active.AddOrUpdate(request.Address, 0, (_, n) => n - 1);
        }
    }

    public async Task<PendingDial> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _calls.Reader.ReadAsync(timeout.Token);
    }

    public bool TryNext(out PendingDial? pending) => _calls.Reader.TryRead(out pending);
}

internal sealed class PendingDial(DialRequest request, CancellationToken token)
{
    public DialRequest Request { get; } = request;

    public CancellationToken Token { get; } = token;

    public TaskCompletionSource<DialOutcome> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Fail(DialFailure failure = DialFailure.Unreachable) => Answer.TrySetResult(DialOutcome.Failed(failure));

    public void Succeed(OpenRed.Core.Identity.Fingerprint peer) => Answer.TrySetResult(DialOutcome.Connected(peer));
}
