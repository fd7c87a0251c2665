using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Security;
using OpenRed.Core.Security.Internal;
using OpenRed.Core.Tests.Support;
using OpenRed.Core.Wire;

namespace OpenRed.Core.Tests.Security;

/// <summary>The deadlines of section 5 on fake time: 5 s until REQUEST, 3 s from VERIFY to FINALIZE, 10 s in all.</summary>
public sealed class HandshakeDeadlineTests(HandshakeIdentities ids) : IClassFixture<HandshakeIdentities>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Respond_NoRequest_FailsAfterFiveSeconds()
    {
        var (a, b) = DuplexPipe.Create();
        await using var _a = a;
        await using var _b = b;
        var responding = Handshake.RespondAsync(b, Local(ids.Bob), _ => false, HandshakeOptions.Default, _time, CancellationToken.None);

        _time.Advance(TimeSpan.FromMilliseconds(4999));
        responding.IsCompleted.Should().BeFalse();
        _time.Advance(TimeSpan.FromMilliseconds(1));

        var e = await Assert.ThrowsAsync<HandshakeFailedException>(() => responding.WaitAsync(Wait));
        e.Reason.Should().Be(HandshakeFailure.Timeout);
        e.Message.Should().Contain("REQUEST");
    }

    [Fact]
    public async Task Respond_NoFinalize_FailsThreeSecondsAfterVerify()
    {
        var (a, b) = DuplexPipe.Create();
        await using var _a = a;
        await using var _b = b;
        var responding = Handshake.RespondAsync(b, Local(ids.Bob), _ => false, HandshakeOptions.Default, _time, CancellationToken.None);

        // Two seconds pass before REQUEST: the FINALIZE clock must count from VERIFY, not from the start.
        _time.Advance(TimeSpan.FromSeconds(2));
        using var initiator = new HandshakeInitiator(Local(ids.Alice), null);
        await FrameIO.WriteFrameAsync(a, initiator.CreateRequest(), CancellationToken.None);
        var verify = await FrameIO.ReadFrameAsync(a, 1, 16384, TimeSpan.FromSeconds(30), _time, CancellationToken.None).WaitAsync(Wait);
        verify.Should().NotBeNull();

        _time.Advance(TimeSpan.FromMilliseconds(2999));
        responding.IsCompleted.Should().BeFalse();
        _time.Advance(TimeSpan.FromMilliseconds(1));

        var e = await Assert.ThrowsAsync<HandshakeFailedException>(() => responding.WaitAsync(Wait));
        e.Reason.Should().Be(HandshakeFailure.Timeout);
        e.Message.Should().Contain("FINALIZE");
    }

    [Fact]
    public async Task Initiate_NoVerify_FailsAfterTenSeconds()
    {
        var (a, b) = DuplexPipe.Create();
        await using var _a = a;
        await using var _b = b;
        var initiating = Handshake.InitiateAsync(a, Local(ids.Alice), null, HandshakeOptions.Default, _time, CancellationToken.None);
        var request = await FrameIO.ReadFrameAsync(b, 1, 16384, TimeSpan.FromSeconds(30), _time, CancellationToken.None).WaitAsync(Wait);
        request.Should().NotBeNull();

        _time.Advance(TimeSpan.FromMilliseconds(9999));
        initiating.IsCompleted.Should().BeFalse();
        _time.Advance(TimeSpan.FromMilliseconds(1));

        var e = await Assert.ThrowsAsync<HandshakeFailedException>(() => initiating.WaitAsync(Wait));
        e.Reason.Should().Be(HandshakeFailure.Timeout);
        e.Message.Should().Contain("10 s");
    }

    [Fact]
    public async Task Respond_SlowPhasesWithinLimits_StillEndsAtTotal()
    {
        // Phase limits raised beyond the total: only the 10 s overall deadline can end it.
        var options = HandshakeOptions.Default with { UntilRequest = TimeSpan.FromSeconds(60), VerifyToFinalize = TimeSpan.FromSeconds(60) };
        var (a, b) = DuplexPipe.Create();
        await using var _a = a;
        await using var _b = b;
        var responding = Handshake.RespondAsync(b, Local(ids.Bob), _ => false, options, _time, CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(6));
        using var initiator = new HandshakeInitiator(Local(ids.Alice), null);
        await FrameIO.WriteFrameAsync(a, initiator.CreateRequest(), CancellationToken.None);
        (await FrameIO.ReadFrameAsync(a, 1, 16384, TimeSpan.FromSeconds(30), _time, CancellationToken.None).WaitAsync(Wait)).Should().NotBeNull();

        _time.Advance(TimeSpan.FromMilliseconds(3999));
        responding.IsCompleted.Should().BeFalse();
        _time.Advance(TimeSpan.FromMilliseconds(1));

        var e = await Assert.ThrowsAsync<HandshakeFailedException>(() => responding.WaitAsync(Wait));
        e.Reason.Should().Be(HandshakeFailure.Timeout);
        e.Message.Should().Contain("10 s");
    }

    [Fact]
    public async Task Respond_RequestBodyStalls_FailsAtRequestDeadline()
    {
        var (a, b) = DuplexPipe.Create();
        await using var _a = a;
        await using var _b = b;
        var responding = Handshake.RespondAsync(b, Local(ids.Bob), _ => false, HandshakeOptions.Default, _time, CancellationToken.None);
        await a.WriteAsync(new byte[] { 0, 0, 0, 70, 0x08, 0x01 });
        await a.FlushAsync();

        _time.Advance(TimeSpan.FromSeconds(5));

        var e = await Assert.ThrowsAsync<HandshakeFailedException>(() => responding.WaitAsync(Wait));
        e.Reason.Should().Be(HandshakeFailure.Timeout);
    }

    [Fact]
    public async Task BothSides_OnFakeTime_FinishWithoutAnyTimeAdvancing()
    {
        var (a, b) = DuplexPipe.Create();
        await using var _a = a;
        await using var _b = b;
        var initiating = Handshake.InitiateAsync(a, Local(ids.Alice), null, HandshakeOptions.Default, _time, CancellationToken.None);
        var responding = Handshake.RespondAsync(b, Local(ids.Bob), _ => false, HandshakeOptions.Default, _time, CancellationToken.None);
        using var i = await initiating.WaitAsync(Wait);
        using var r = await responding.WaitAsync(Wait);
        i.Keys.SessionId.Should().Equal(r.Keys.SessionId);
    }

    private static LocalIdentity Local(OpenRed.Core.Identity.NodeIdentity keys) => new(keys, "n" + keys.Fingerprint.Short, "general", 1);
}
