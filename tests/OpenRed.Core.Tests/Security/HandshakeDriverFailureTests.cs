using System.Net.Sockets;
using OpenRed.Core.Security;

namespace OpenRed.Core.Tests.Security;

/// <summary>
/// Issue 9.9: whatever the stream throws, the driver ends in the one failure type, so that callers (which close the
/// stream on that type) never leave a connection open behind a faulted task.
/// </summary>
public sealed class HandshakeDriverFailureTests(HandshakeIdentities ids) : IClassFixture<HandshakeIdentities>
{
    public static TheoryData<string, HandshakeFailure> Failures => new()
    {
        { "invalid-operation", HandshakeFailure.LocalError },
        { "not-supported", HandshakeFailure.LocalError },
        { "socket", HandshakeFailure.ConnectionClosed },
        { "disposed", HandshakeFailure.ConnectionClosed },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Respond_StreamThrowsUnexpectedException_FailsAsHandshakeFailure(string which, HandshakeFailure expected)
    {
        await using var stream = new ThrowingStream(which);
        var local = new LocalIdentity(ids.Bob, "bob", "general", 0);

        var act = () => Handshake.RespondAsync(stream, local, _ => false, HandshakeOptions.Default, TimeProvider.System, CancellationToken.None);

        (await act.Should().ThrowAsync<HandshakeFailedException>()).Which.Reason.Should().Be(expected);
    }

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Initiate_StreamThrowsUnexpectedException_FailsAsHandshakeFailure(string which, HandshakeFailure expected)
    {
        await using var stream = new ThrowingStream(which);
        var local = new LocalIdentity(ids.Alice, "alice", "general", 0);

        var act = () => Handshake.InitiateAsync(stream, local, null, HandshakeOptions.Default, TimeProvider.System, CancellationToken.None);

        (await act.Should().ThrowAsync<HandshakeFailedException>()).Which.Reason.Should().Be(expected);
    }

    [Fact]
    public async Task Respond_CallerCancels_StillOperationCanceled()
    {
        await using var stream = new ThrowingStream("never");
        using var cts = new CancellationTokenSource();
        var local = new LocalIdentity(ids.Bob, "bob", "general", 0);
        var responding = Handshake.RespondAsync(stream, local, _ => false, HandshakeOptions.Default, TimeProvider.System, cts.Token);

        await cts.CancelAsync();

        await responding.Invoking(t => t.WaitAsync(TimeSpan.FromSeconds(10))).Should().ThrowAsync<OperationCanceledException>();
    }

    private sealed class ThrowingStream(string which) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw Failure();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (which == "never")
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            throw Failure();
        }

        public override void Write(byte[] buffer, int offset, int count) => throw Failure();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            which == "never" ? ValueTask.CompletedTask : ValueTask.FromException(Failure());

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        private Exception Failure() => which switch
        {
            "invalid-operation" => new InvalidOperationException("boom"),
            "not-supported" => new NotSupportedException("boom"),
            "socket" => new SocketException((int)SocketError.ConnectionReset),
            "disposed" => new ObjectDisposedException("stream"),
            _ => new InvalidOperationException(which),
        };
    }
}
