using OpenRed.Core.Identity;
using OpenRed.Core.Security;
using OpenRed.Core.Security.Internal;

namespace OpenRed.Core.Tests.Security;

public sealed class PeerKeyTests(HandshakeIdentities ids) : IClassFixture<HandshakeIdentities>
{
    [Fact]
    public void TryGet_SamePeerTwice_OneImportedKeyThatStillVerifies()
    {
        var spki = ids.Carol.Spki;
        var first = PeerKey.TryGet(spki, ids.Carol.Fingerprint, out _);
        var second = PeerKey.TryGet((byte[])spki.Clone(), ids.Carol.Fingerprint, out _);

        second.Should().BeSameAs(first);
        var th = new byte[32];
        var signature = Signer.Sign(ids.Carol.Key, Signer.ContextMessage("ctx", th));
        second!.VerifySignature("ctx", th, signature);
        var wrongContext = () => second.VerifySignature("other", th, signature);
        wrongContext.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.InvalidSignature);
    }

    [Fact]
    public void TryGet_BytesThatAreNotTheCachedKey_NotServedFromTheCache()
    {
        PeerKey.TryGet(ids.Alice.Spki, ids.Alice.Fingerprint, out _).Should().NotBeNull();

        // Another key's bytes under Alice's fingerprint (a caller's bug): imported on their own, never Alice's key.
        var other = PeerKey.TryGet(ids.Bob.Spki, ids.Alice.Fingerprint, out _);
        var signature = Signer.Sign(ids.Bob.Key, Signer.ContextMessage("ctx", new byte[32]));
        other!.VerifySignature("ctx", new byte[32], signature);
    }

    [Fact]
    public void TryGet_NotCanonical_RefusedWithTheReason()
    {
        var spki = ids.Alice.Spki.Concat(new byte[] { 0 }).ToArray();

        PeerKey.TryGet(spki, Fingerprint.Of(spki), out var error).Should().BeNull();
        error.Should().Contain("trailing");
    }
}
