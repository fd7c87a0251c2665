using Google.Protobuf;
using OpenRed.Core.Identity;
using OpenRed.Core.Security;
using OpenRed.Core.Tests.Identity;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Tests.Security;

/// <summary>Every check of section 5 on well-formed but unacceptable input, on both sides.</summary>
public sealed class HandshakeRejectionTests : IClassFixture<HandshakeIdentities>, IClassFixture<BadRsaKeys>
{
    private readonly HandshakeIdentities _ids;
    private readonly BadRsaKeys _bad;
    private readonly HandshakeScenario _s;

    public HandshakeRejectionTests(HandshakeIdentities ids, BadRsaKeys bad)
    {
        _ids = ids;
        _bad = bad;
        _s = new HandshakeScenario(ids.Alice, ids.Bob, seed: 0x20);
    }

    public static TheoryData<string> BadIdentities => new()
    {
        "rsa-1024", "rsa-3072", "exponent-3", "spki-trailing-byte", "spki-garbage", "spki-empty",
        "node-id-empty", "node-id-leading-dash", "node-id-65-chars", "node-id-space", "node-id-non-ascii",
        "sector-uppercase", "sector-empty", "sector-33-chars", "sector-dot", "port-65536", "port-max", "not-protobuf",
        "node-id-trailing-newline", "sector-trailing-newline",
    };

    [Fact]
    public void ForgedVerify_WithAValidIdentity_IsAccepted()
    {
        // Checks the forging harness itself: with a valid Identity and signature the initiator accepts, so the
        // rejections below come from the check under test and not from a broken forgery.
        var verify = HandshakeForge.Verify(_s.ResponderTrace, HandshakeForge.IdentityBytes(_ids.Carol.Spki), HandshakeForge.SignWith(_ids.Carol.Key));
        using var i = _s.InitiatorAwaitingVerify();
        using var result = i.ProcessVerify(verify).Result;
        result.Peer.Fingerprint.Should().Be(_ids.Carol.Fingerprint);
        result.Peer.NodeId.Should().Be("mallory");
        result.Peer.ListenPort.Should().Be(4242);
    }

    [Fact]
    public void ForgedFinalize_WithAValidIdentity_IsAccepted()
    {
        var finalize = HandshakeForge.Finalize(_s.ResponderTrace, HandshakeForge.IdentityBytes(_ids.Carol.Spki), HandshakeForge.SignWith(_ids.Carol.Key));
        using var r = _s.ResponderAwaitingFinalize();
        using var result = r.ProcessFinalize(finalize);
        result.Peer.Fingerprint.Should().Be(_ids.Carol.Fingerprint);
    }

    [Theory]
    [MemberData(nameof(BadIdentities))]
    public void Verify_BadIdentity_InitiatorFails(string which)
    {
        var (identity, sign) = BadIdentity(which);
        var verify = HandshakeForge.Verify(_s.ResponderTrace, identity, sign);
        using var i = _s.InitiatorAwaitingVerify();
        var act = () => i.ProcessVerify(verify);
        act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.InvalidIdentity);
    }

    [Theory]
    [MemberData(nameof(BadIdentities))]
    public void Finalize_BadIdentity_ResponderFails(string which)
    {
        var (identity, sign) = BadIdentity(which);
        var finalize = HandshakeForge.Finalize(_s.ResponderTrace, identity, sign);
        using var r = _s.ResponderAwaitingFinalize();
        var act = () => r.ProcessFinalize(finalize);
        act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.InvalidIdentity);
    }

    [Fact]
    public void AuthNotProtobuf_Fails()
    {
        using (var i = _s.InitiatorAwaitingVerify())
        {
            var act = () => i.ProcessVerify(HandshakeForge.VerifyWithAuth(_s.ResponderTrace, [0xff, 0xff]));
            act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.Malformed);
        }

        using (var r = _s.ResponderAwaitingFinalize())
        {
            var act = () => r.ProcessFinalize(HandshakeForge.FinalizeWithAuth(_s.ResponderTrace, [0xff, 0xff]));
            act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.Malformed);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(255)]
    [InlineData(256)]
    public void SignatureWrongLengthOrMissing_Fails(int length)
    {
        var identity = HandshakeForge.IdentityBytes(_ids.Carol.Spki);
        var signature = new byte[length];
        using (var i = _s.InitiatorAwaitingVerify())
        {
            var act = () => i.ProcessVerify(HandshakeForge.Verify(_s.ResponderTrace, identity, _ => signature));
            act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.InvalidSignature);
        }

        using (var r = _s.ResponderAwaitingFinalize())
        {
            var act = () => r.ProcessFinalize(HandshakeForge.Finalize(_s.ResponderTrace, identity, _ => signature));
            act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.InvalidSignature);
        }
    }

    [Fact]
    public void Initiator_ReachesItself_FailsSelfConnection()
    {
        var self = new HandshakeScenarioParts(_ids.Alice);
        using var i = self.Initiator();
        using var r = self.Responder();
        var verify = r.ProcessRequest(i.CreateRequest());
        var act = () => i.ProcessVerify(verify);
        act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.SelfConnection);
    }

    [Fact]
    public void Responder_FinalizeWithItsOwnIdentity_FailsSelfConnection()
    {
        var finalize = HandshakeForge.Finalize(
            _s.ResponderTrace, HandshakeForge.IdentityBytes(_s.ResponderKeys.Spki), HandshakeForge.SignWith(_s.ResponderKeys.Key));
        using var r = _s.ResponderAwaitingFinalize();
        var act = () => r.ProcessFinalize(finalize);
        act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.SelfConnection);
    }

    [Fact]
    public void Initiator_ExpectedFingerprint_MismatchFailsMatchSucceeds()
    {
        using (var i = _s.NewInitiator(expected: _ids.Carol.Fingerprint))
        {
            i.CreateRequest();
            var act = () => i.ProcessVerify(_s.Verify);
            act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.UnexpectedPeer);
        }

        using (var i = _s.NewInitiator(expected: _ids.Bob.Fingerprint))
        {
            i.CreateRequest();
            using var result = i.ProcessVerify(_s.Verify).Result;
            result.Peer.Fingerprint.Should().Be(_ids.Bob.Fingerprint);
        }
    }

    [Fact]
    public void Responder_BlockedPeer_Fails()
    {
        Fingerprint? asked = null;
        using var r = _s.ResponderAwaitingFinalize(isBlocked: f => { asked = f; return true; });
        var act = () => r.ProcessFinalize(_s.Finalize);
        act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.BlockedPeer);
        asked.Should().Be(_ids.Alice.Fingerprint);
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")]
    [InlineData("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157")]
    [InlineData("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")]
    [InlineData("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")]
    [InlineData("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")]
    public void LowOrderEphemeral_AllZeroResult_Fails(string pointHex)
    {
        var point = Convert.FromHexString(pointHex);
        using (var r = _s.NewResponder())
        {
            var act = () => r.ProcessRequest(HandshakeForge.Request(1, point, new byte[32]));
            act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.InvalidKeyShare);
        }

        using (var i = _s.InitiatorAwaitingVerify())
        {
            var verify = Verify.Parser.ParseFrom(_s.Verify);
            verify.Ephemeral = ByteString.CopyFrom(point);
            var act = () => i.ProcessVerify(verify.ToByteArray());
            act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.InvalidKeyShare);
        }
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(2u)]
    [InlineData(uint.MaxValue)]
    public void Request_OtherVersion_FailsUnsupportedVersion(uint version)
    {
        var honest = Request.Parser.ParseFrom(_s.Request);
        using var r = _s.NewResponder();
        var act = () => r.ProcessRequest(HandshakeForge.Request(version, honest.Ephemeral.ToByteArray(), honest.Nonce.ToByteArray()));
        act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.UnsupportedVersion);
    }

    [Theory]
    [InlineData(0, 32)]
    [InlineData(31, 32)]
    [InlineData(33, 32)]
    [InlineData(32, 0)]
    [InlineData(32, 31)]
    [InlineData(32, 33)]
    public void WrongEphemeralOrNonceLength_FailsMalformed(int ephemeralLength, int nonceLength)
    {
        var honestRequest = Request.Parser.ParseFrom(_s.Request);
        using (var r = _s.NewResponder())
        {
            var request = HandshakeForge.Request(
                1, Resize(honestRequest.Ephemeral.ToByteArray(), ephemeralLength), Resize(honestRequest.Nonce.ToByteArray(), nonceLength));
            var act = () => r.ProcessRequest(request);
            act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.Malformed);
        }

        using (var i = _s.InitiatorAwaitingVerify())
        {
            var verify = Verify.Parser.ParseFrom(_s.Verify);
            verify.Ephemeral = ByteString.CopyFrom(Resize(verify.Ephemeral.ToByteArray(), ephemeralLength));
            verify.Nonce = ByteString.CopyFrom(Resize(verify.Nonce.ToByteArray(), nonceLength));
            var act = () => i.ProcessVerify(verify.ToByteArray());
            act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.Malformed);
        }
    }

    [Fact]
    public void LocalIdentity_Invalid_IsRefusedBeforeAnythingIsSent()
    {
        var act = () => new OpenRed.Core.Security.Internal.HandshakeInitiator(
            new LocalIdentity(_ids.Alice, "-bad", "general", 1), null);
        act.Should().Throw<ArgumentException>();
        var port = () => new OpenRed.Core.Security.Internal.HandshakeResponder(
            new LocalIdentity(_ids.Alice, "ok", "general", 70000));
        port.Should().Throw<ArgumentException>();
    }

    private (byte[] Identity, Func<byte[], byte[]> Sign) BadIdentity(string which)
    {
        var carol = HandshakeForge.SignWith(_ids.Carol.Key);
        var spki = _ids.Carol.Spki;
        return which switch
        {
            "rsa-1024" => (HandshakeForge.IdentityBytes(_bad.Rsa1024.ExportSubjectPublicKeyInfo()), HandshakeForge.SignWith(_bad.Rsa1024)),
            "rsa-3072" => (HandshakeForge.IdentityBytes(_bad.Rsa3072.ExportSubjectPublicKeyInfo()), HandshakeForge.SignWith(_bad.Rsa3072)),
            "exponent-3" => (HandshakeForge.IdentityBytes(_bad.SpkiExponent3), carol),
            "spki-trailing-byte" => (HandshakeForge.IdentityBytes([.. spki, 0]), carol),
            "spki-garbage" => (HandshakeForge.IdentityBytes([0xde, 0xad, 0xbe, 0xef]), carol),
            "spki-empty" => (HandshakeForge.IdentityBytes([]), carol),
            "node-id-empty" => (HandshakeForge.IdentityBytes(spki, nodeId: ""), carol),
            "node-id-leading-dash" => (HandshakeForge.IdentityBytes(spki, nodeId: "-mallory"), carol),
            "node-id-65-chars" => (HandshakeForge.IdentityBytes(spki, nodeId: new string('m', 65)), carol),
            "node-id-space" => (HandshakeForge.IdentityBytes(spki, nodeId: "mal lory"), carol),
            "node-id-non-ascii" => (HandshakeForge.IdentityBytes(spki, nodeId: "mallöry"), carol),
            "sector-uppercase" => (HandshakeForge.IdentityBytes(spki, sector: "General"), carol),
            "sector-empty" => (HandshakeForge.IdentityBytes(spki, sector: ""), carol),
            "sector-33-chars" => (HandshakeForge.IdentityBytes(spki, sector: new string('s', 33)), carol),
            "sector-dot" => (HandshakeForge.IdentityBytes(spki, sector: "a.b"), carol),
            "port-65536" => (HandshakeForge.IdentityBytes(spki, port: 65536), carol),
            "port-max" => (HandshakeForge.IdentityBytes(spki, port: uint.MaxValue), carol),
            "not-protobuf" => ([0xff, 0xff, 0xff], carol),
            "node-id-trailing-newline" => (HandshakeForge.IdentityBytes(spki, nodeId: "bob\n"), carol),
            "sector-trailing-newline" => (HandshakeForge.IdentityBytes(spki, sector: "general\n"), carol),
            _ => throw new ArgumentOutOfRangeException(nameof(which)),
        };
    }

    private static byte[] Resize(byte[] b, int length)
    {
        var r = new byte[length];
        b.AsSpan(0, Math.Min(length, b.Length)).CopyTo(r);
        return r;
    }

    /// <summary>Both roles played by one identity: a node that dialled itself.</summary>
    private sealed class HandshakeScenarioParts(NodeIdentity keys)
    {
        private readonly LocalIdentity _local = new(keys, "self", "general", 1);

        public OpenRed.Core.Security.Internal.HandshakeInitiator Initiator() => new(_local, null);

        public OpenRed.Core.Security.Internal.HandshakeResponder Responder() => new(_local);
    }
}
