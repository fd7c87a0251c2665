using OpenRed.Core.Mesh.Internal;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Tests.Mesh;

public sealed class EnvelopeRouterTests
{
    [Fact]
    public void Register_AfterSeal_IsRefused()
    {
        var router = new EnvelopeRouter();
        router.Register(Envelope.BodyOneofCase.ChatMessage, (_, _, _) => ValueTask.CompletedTask);
        router.Seal();

        var act = () => router.Register(Envelope.BodyOneofCase.ProfileRequest, (_, _, _) => ValueTask.CompletedTask);

        act.Should().Throw<InvalidOperationException>().WithMessage("*ProfileRequest came too late*");
        router.Kinds.Should().Equal(Envelope.BodyOneofCase.ChatMessage);
    }

    [Fact]
    public void Register_SameKindTwice_IsRefused()
    {
        var router = new EnvelopeRouter();
        router.Register(Envelope.BodyOneofCase.ChatMessage, (_, _, _) => ValueTask.CompletedTask);

        var act = () => router.Register(Envelope.BodyOneofCase.ChatMessage, (_, _, _) => ValueTask.CompletedTask);

        act.Should().Throw<InvalidOperationException>().WithMessage("*has a handler already*");
    }

    [Fact]
    public async Task Dispatch_UnknownNotification_IsDroppedWithoutTouchingTheSession()
    {
        var router = new EnvelopeRouter();
        router.Seal();

        // A notification (id 0) of a kind no module handles needs no answer: the session is never used.
        await router.DispatchAsync(null!, new Envelope { ChatReceipt = new ChatReceipt() }, CancellationToken.None);
    }
}
