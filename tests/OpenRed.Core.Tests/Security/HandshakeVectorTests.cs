using OpenRed.Core.Identity;
using OpenRed.Core.Security.Internal;

namespace OpenRed.Core.Tests.Security;

/// <summary>Section 10: with the vector's ephemeral keys, nonces and signatures, every other value is reproduced.</summary>
public sealed class HandshakeVectorTests
{
    private readonly HandshakeVector _v = HandshakeVector.Load();

    [Fact]
    public void Constants_MatchVectorNameAndH0()
    {
        System.Text.Encoding.ASCII.GetString(HandshakeConstants.ProtocolName).Should().Be(_v.Text("protocol_name"));
        new TranscriptHash().Current.Should().Equal(_v.Hex("h0"));
    }

    [Theory]
    [InlineData("initiator")]
    [InlineData("responder")]
    public void EphemeralKey_VectorPrivate_GivesVectorPublic(string role)
    {
        using var key = new EphemeralKey(_v.Hex(role, "ephemeral_private"));
        key.PublicKey.Should().Equal(_v.Hex(role, "ephemeral_public"));
    }

    [Fact]
    public void StateMachines_VectorInputs_ReproduceEveryValue()
    {
        using var iKeys = _v.LoadIdentity("initiator");
        using var rKeys = _v.LoadIdentity("responder");
        var sigR = _v.Hex("phase2", "sigR");
        var sigI = _v.Hex("phase3", "sigI");
        byte[]? signedByR = null;
        byte[]? signedByI = null;
        var iTrace = new HandshakeTrace();
        var rTrace = new HandshakeTrace();
        using var initiator = new HandshakeInitiator(
            _v.Local("initiator", iKeys), rKeys.Fingerprint, _v.Entropy("initiator"), m => { signedByI = m; return sigI; }, iTrace);
        using var responder = new HandshakeResponder(
            _v.Local("responder", rKeys), _ => false, _v.Entropy("responder"), m => { signedByR = m; return sigR; }, rTrace);

        var request = initiator.CreateRequest();
        var verify = responder.ProcessRequest(request);
        var (finalize, iResult) = initiator.ProcessVerify(verify);
        using var _ = iResult;
        using var rResult = responder.ProcessFinalize(finalize);

        request.Should().Equal(_v.Hex("phase1", "request"));
        verify.Should().Equal(_v.Hex("phase2", "verify"));
        finalize.Should().Equal(_v.Hex("phase3", "finalize"));
        foreach (var (side, t) in new[] { ("initiator", iTrace), ("responder", rTrace) })
        {
            Check(side, "request", t.Request, "phase1", "request");
            Check(side, "th1", t.Th1, "phase1", "th1");
            Check(side, "th2", t.Th2, "phase2", "th2");
            Check(side, "dh", t.Dh, "phase2", "dh");
            Check(side, "hs", t.Hs, "phase2", "hs");
            Check(side, "kR", t.KR, "phase2", "kR");
            Check(side, "kI", t.KI, "phase2", "kI");
            Check(side, "idR", t.IdR, "phase2", "idR");
            Check(side, "th3", t.Th3, "phase2", "th3");
            Check(side, "sigR", t.SigR, "phase2", "sigR");
            Check(side, "th4", t.Th4, "phase2", "th4");
            Check(side, "authR", t.AuthR, "phase2", "authR");
            Check(side, "sealedR", t.SealedR, "phase2", "sealedR");
            Check(side, "verify", t.Verify, "phase2", "verify");
            Check(side, "idI", t.IdI, "phase3", "idI");
            Check(side, "th5", t.Th5, "phase3", "th5");
            Check(side, "sigI", t.SigI, "phase3", "sigI");
            Check(side, "th6", t.Th6, "phase3", "th6");
            Check(side, "sealedI", t.SealedI, "phase3", "sealedI");
            Check(side, "finalize", t.Finalize, "phase3", "finalize");
            Check(side, "ms", t.Ms, "session", "ms");
            Check(side, "k_i2r", t.KeyI2R, "session", "k_i2r");
            Check(side, "k_r2i", t.KeyR2I, "session", "k_r2i");
            Check(side, "session_id", t.SessionId, "session", "session_id");
        }

        iTrace.AuthI.Should().Equal(rTrace.AuthI);
        foreach (var result in new[] { iResult, rResult })
        {
            result.Keys.InitiatorToResponder.Should().Equal(_v.Hex("session", "k_i2r"));
            result.Keys.ResponderToInitiator.Should().Equal(_v.Hex("session", "k_r2i"));
            result.Keys.SessionId.Should().Equal(_v.Hex("session", "session_id"));
        }

        iResult.Peer.Fingerprint.Hex.Should().Be(_v.Text("responder", "fingerprint"));
        iResult.Peer.PublicKey.Should().Equal(_v.Hex("responder", "spki"));
        iResult.Peer.NodeId.Should().Be("papa");
        iResult.Peer.ListenPort.Should().Be(8080);
        rResult.Peer.Fingerprint.Hex.Should().Be(_v.Text("initiator", "fingerprint"));
        rResult.Peer.NodeId.Should().Be("alice");
        rResult.Peer.Sector.Should().Be("family");
        rResult.Peer.ListenPort.Should().Be(8081);

        // The substituted signer was asked to sign exactly the spec's context messages.
        signedByR.Should().Equal(Signer.ContextMessage("OpenRed/1 VERIFY", _v.Hex("phase2", "th3")));
        signedByI.Should().Equal(Signer.ContextMessage("OpenRed/1 FINALIZE", _v.Hex("phase3", "th5")));
    }

    [Fact]
    public void VectorSignatures_VerifyWithTheRealVerifier()
    {
        using var iKeys = _v.LoadIdentity("initiator");
        using var rKeys = _v.LoadIdentity("responder");

        Signer.Verify(rKeys.Key, Signer.ContextMessage("OpenRed/1 VERIFY", _v.Hex("phase2", "th3")), _v.Hex("phase2", "sigR"))
            .Should().BeTrue();
        Signer.Verify(iKeys.Key, Signer.ContextMessage("OpenRed/1 FINALIZE", _v.Hex("phase3", "th5")), _v.Hex("phase3", "sigI"))
            .Should().BeTrue();

        // And the handshake's own check accepts them, with the key taken from the vector's Identity.
        using var rPub = RsaPublicKey.TryImport(_v.Hex("responder", "spki"), out _)!;
        var act = () => HandshakeAuth.VerifySignature(rPub, "OpenRed/1 VERIFY", _v.Hex("phase2", "th3"), _v.Hex("phase2", "sigR"));
        act.Should().NotThrow();
        var swapped = () => HandshakeAuth.VerifySignature(rPub, "OpenRed/1 FINALIZE", _v.Hex("phase2", "th3"), _v.Hex("phase2", "sigR"));
        swapped.Should().Throw<OpenRed.Core.Security.HandshakeFailedException>();
    }

    [Fact]
    public void Hkdf_UsesSpecArgumentOrder()
    {
        // hs = Extract(salt = th2, ikm = dh): swapping the two would still compile, so pin it here.
        Hkdf.Extract(_v.Hex("phase2", "th2"), _v.Hex("phase2", "dh")).Should().Equal(_v.Hex("phase2", "hs"));
        Hkdf.Extract(_v.Hex("phase2", "dh"), _v.Hex("phase2", "th2")).Should().NotEqual(_v.Hex("phase2", "hs"));
    }

    [Fact]
    public void Aead_VectorSealedR_OpensToAuthR()
    {
        var opened = Aead.TryOpen(_v.Hex("phase2", "kR"), new byte[12], _v.Hex("phase2", "th2"), _v.Hex("phase2", "sealedR"));
        opened.Should().Equal(_v.Hex("phase2", "authR"));
        var sealedR = _v.Hex("phase2", "sealedR");
        sealedR[^1] ^= 1;
        Aead.TryOpen(_v.Hex("phase2", "kR"), new byte[12], _v.Hex("phase2", "th2"), sealedR).Should().BeNull();
        Aead.TryOpen(_v.Hex("phase2", "kR"), new byte[12], _v.Hex("phase2", "th2"), new byte[15]).Should().BeNull();
    }

    [Fact]
    public void KeySchedule_VectorDh_GivesVectorKeysAndErasesDh()
    {
        var dh = _v.Hex("phase2", "dh");
        HandshakeKeySchedule.DeriveHandshakeKeys(_v.Hex("phase2", "th2"), dh, null, out var hs, out var kR, out var kI);
        dh.Should().OnlyContain(b => b == 0);
        hs.Should().Equal(_v.Hex("phase2", "hs"));
        kR.Should().Equal(_v.Hex("phase2", "kR"));
        kI.Should().Equal(_v.Hex("phase2", "kI"));
        using var keys = HandshakeKeySchedule.DeriveSessionKeys(_v.Hex("phase3", "th6"), hs, null);
        keys.InitiatorToResponder.Should().Equal(_v.Hex("session", "k_i2r"));
    }

    [Fact]
    public void EphemeralKey_AfterDispose_CannotAgree()
    {
        var key = new EphemeralKey(_v.Hex("initiator", "ephemeral_private"));
        key.Dispose();
        var act = () => key.TryAgree(_v.Hex("responder", "ephemeral_public"), new byte[32]);
        act.Should().Throw<ObjectDisposedException>();
    }

    private void Check(string side, string what, byte[]? actual, string section, string name) =>
        Convert.ToHexStringLower(actual ?? []).Should().Be(_v.Text(section, name), "{0} of the {1}", what, side);

}
