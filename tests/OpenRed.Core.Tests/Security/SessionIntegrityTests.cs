using System.Buffers.Binary;
using OpenRed.Core.Security;
using OpenRed.Core.Tests.Support;
using OpenRed.Core.Wire.Proto;
using static OpenRed.Core.Tests.Security.SessionTestKit;

namespace OpenRed.Core.Tests.Security;

/// <summary>Whatever an attacker does to the frames of one direction, the receiving session closes.</summary>
public sealed class SessionIntegrityTests
{
    // The initiator's frame 0 is its Pong to the responder's first Ping; frame 1 is the notification the test sends.
    [Fact]
    public Task Open_TamperedFrame_ClosesSession() =>
        AssertResponderRefuses((n, frame) =>
        {
            if (n == 0)
            {
                frame[^3] ^= 0x40;
            }

            return [frame];
        });

    [Fact]
    public Task Open_TamperedLength_ClosesSession() =>
        AssertResponderRefuses((n, frame) =>
        {
            if (n == 1)
            {
                // Same size class, still in bounds: only the AAD check can catch it.
                BinaryPrimitives.WriteUInt32BigEndian(frame, BinaryPrimitives.ReadUInt32BigEndian(frame) - 1);
                return [frame[..^1]];
            }

            return [frame];
        });

    [Fact]
    public Task Open_DroppedFrame_ClosesSession() =>
        AssertResponderRefuses((n, frame) => n == 0 ? [] : [frame]);

    [Fact]
    public Task Open_DuplicatedFrame_ClosesSession() =>
        AssertResponderRefuses((n, frame) => n == 0 ? [frame, frame] : [frame]);

    [Fact]
    public Task Open_ReorderedFrames_ClosesSession()
    {
        byte[]? held = null;
        return AssertResponderRefuses((n, frame) =>
        {
            switch (n)
            {
                case 0:
                    held = frame;
                    return [];
                case 1:
                    return [frame, held!];
                default:
                    return [frame];
            }
        });
    }

    [Theory]
    [InlineData(16u)]
    [InlineData(0u)]
    [InlineData(1048593u)]
    [InlineData(uint.MaxValue)]
    public async Task Read_LengthOutOfBounds_ClosesWithoutReadingBody(uint length)
    {
        var (a, b) = DuplexPipe.Create();
        await using var r = StartOne(b, NewKeyBytes(), isInitiator: false);
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, length);

        // No body follows: a reader that waited for it would hang until the body timeout (30 s).
        await a.WriteAsync(header);
        await r.Completion.WaitAsync(Wait);

        r.CloseInfo!.Kind.Should().Be(SessionCloseKind.Violation);
        r.CloseInfo.Reason.Should().Contain("outside");
        a.Dispose();
    }

    [Theory]
    [InlineData(new byte[] { 0x08, 0x07 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0x52, 0x05, 0x08 })]
    public async Task Receive_EnvelopeWithoutBodyOrUnparsable_ClosesAsViolation(byte[] plaintext)
    {
        var (a, b) = DuplexPipe.Create();
        var keys = NewKeyBytes();
        await using var r = StartOne(b, keys, isInitiator: false);
        using var peer = new RawPeer(a, keys.I2R, keys.R2I);

        await peer.SendPlaintextAsync(plaintext);
        await r.Completion.WaitAsync(Wait);

        r.CloseInfo!.IsViolation.Should().BeTrue();
    }

    [Fact]
    public async Task Receive_PeerEndsStream_ClosesAsConnectionLost()
    {
        var (a, b) = DuplexPipe.Create();
        var closed = new TaskCompletionSource<SecureSession>(TaskCreationOptions.RunContinuationsAsynchronously);
        var r = StartOne(b, NewKeyBytes(), isInitiator: false);
        r.Closed += s => closed.TrySetResult(s);

        a.Dispose();

        (await closed.Task.WaitAsync(Wait)).Should().BeSameAs(r);
        r.IsOpen.Should().BeFalse();
        r.CloseInfo!.Kind.Should().Be(SessionCloseKind.ConnectionLost);
        r.Completion.IsCompletedSuccessfully.Should().BeTrue();
    }

    private static async Task AssertResponderRefuses(Func<int, byte[], IReadOnlyList<byte[]>> onWrite)
    {
        var (i, r) = StartPair(wrapInitiator: s => new FrameTap(s, onWrite));

        await i.Confirmed.WaitAsync(Wait);
        try
        {
            await i.SendAsync(new Envelope { PeerExchange = new PeerExchange() }, CancellationToken.None);
        }
        catch (SessionClosedException)
        {
            // The responder may already have closed on frame 0.
        }

        await r.Completion.WaitAsync(Wait);
        await i.Completion.WaitAsync(Wait);
        r.CloseInfo!.IsViolation.Should().BeTrue();
        r.CloseInfo.Reason.Should().Contain("failed to open");
        i.CloseInfo!.Kind.Should().Be(SessionCloseKind.ConnectionLost);
    }
}
