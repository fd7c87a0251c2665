using OpenRed.Core.Identity;
using OpenRed.Core.Security;
using OpenRed.Core.Security.Internal;

namespace OpenRed.Core.Tests.Security;

/// <summary>Tampered, truncated, extended, reordered, replayed and spliced handshake messages never yield a session.</summary>
public sealed class HandshakeTamperTests : IClassFixture<HandshakeIdentities>
{
    private readonly HandshakeIdentities _ids;
    private readonly HandshakeScenario _s;

    public HandshakeTamperTests(HandshakeIdentities ids)
    {
        _ids = ids;
        _s = new HandshakeScenario(ids.Alice, ids.Bob, seed: 0x10);
    }

    [Fact]
    public void Request_EveryBitFlipped_NoSession()
    {
        foreach (var (position, flipped) in BitFlips(_s.Request, allBits: true))
        {
            // A flip may still parse as a REQUEST (ephemeral and nonce bytes); then R answers, but its transcript
            // differs from I's, so I cannot open VERIFY and no keys exist on either side.
            ExpectNoSessionFromRequest(flipped, $"bit flip at byte {position}");
        }
    }

    [Fact]
    public void Verify_EveryBitFlipped_InitiatorFails()
    {
        foreach (var (position, flipped) in BitFlips(_s.Verify, allBits: false))
        {
            using var i = _s.InitiatorAwaitingVerify();
            ExpectFailure(() => i.ProcessVerify(flipped), $"bit flip at byte {position}");
        }
    }

    [Fact]
    public void Finalize_EveryBitFlipped_ResponderFails()
    {
        foreach (var (position, flipped) in BitFlips(_s.Finalize, allBits: false))
        {
            using var r = _s.ResponderAwaitingFinalize();
            ExpectFailure(() => r.ProcessFinalize(flipped), $"bit flip at byte {position}");
        }
    }

    [Fact]
    public void EveryMessage_Truncated_NoSession()
    {
        for (var n = 0; n < _s.Request.Length; n++)
        {
            ExpectNoSessionFromRequest(_s.Request[..n], $"REQUEST cut to {n} bytes");
        }

        for (var n = 0; n < _s.Verify.Length; n++)
        {
            using var i = _s.InitiatorAwaitingVerify();
            var act = () => i.ProcessVerify(_s.Verify.AsSpan(0, n));
            act.Should().Throw<HandshakeFailedException>("VERIFY cut to {0} bytes", n);
        }

        for (var n = 0; n < _s.Finalize.Length; n++)
        {
            using var r = _s.ResponderAwaitingFinalize();
            var act = () => r.ProcessFinalize(_s.Finalize.AsSpan(0, n));
            act.Should().Throw<HandshakeFailedException>("FINALIZE cut to {0} bytes", n);
        }
    }

    [Theory]
    [InlineData("00")]       // field number 0: not protobuf
    [InlineData("ff")]       // a varint that never ends
    [InlineData("7801")]     // unknown field 15 = 1: valid protobuf
    [InlineData("0801")]     // field 1 again, as a varint
    [InlineData("0a00")]     // field 1 again, empty bytes
    [InlineData("1a00")]     // field 3 again, empty bytes
    public void Request_Extended_NoSession(string suffixHex)
    {
        // Whatever parses, R hashes the body as received, so the transcripts of I and R differ.
        ExpectNoSessionFromRequest([.. _s.Request, .. Convert.FromHexString(suffixHex)], "REQUEST + " + suffixHex);
    }

    // VERIFY's and FINALIZE's own bytes are not hashed (Er || Nr and the sealed Auth's contents are), and receivers
    // MUST ignore unknown fields: an appended unknown field changes nothing, while anything that is not protobuf or
    // that replaces a field fails. Either way no session other than the honest one can come out.
    [Theory]
    [InlineData("00", false)]
    [InlineData("ff", false)]
    [InlineData("7801", true)]
    [InlineData("0801", true)]   // field 1 with the wrong wire type is an unknown field
    [InlineData("0a00", false)]  // empty ephemeral replaces Er
    [InlineData("1a00", false)]  // empty sealed replaces sealedR
    public void Verify_Extended_FailsOrChangesNothing(string suffixHex, bool ignored)
    {
        using var i = _s.InitiatorAwaitingVerify();
        var act = () => i.ProcessVerify([.. _s.Verify, .. Convert.FromHexString(suffixHex)]);
        if (ignored)
        {
            var (finalize, result) = act();
            using var _ = result;
            result.Keys.InitiatorToResponder.Should().Equal(_s.KeyI2R);
            finalize.Should().Equal(_s.Finalize);
        }
        else
        {
            act.Should().Throw<HandshakeFailedException>();
        }
    }

    [Theory]
    [InlineData("00", false)]
    [InlineData("ff", false)]
    [InlineData("7801", true)]
    [InlineData("0801", true)]
    [InlineData("0a00", false)]  // empty sealed replaces sealedI
    [InlineData("1a00", true)]   // Finalize has no field 3
    public void Finalize_Extended_FailsOrChangesNothing(string suffixHex, bool ignored)
    {
        using var r = _s.ResponderAwaitingFinalize();
        var act = () => r.ProcessFinalize([.. _s.Finalize, .. Convert.FromHexString(suffixHex)]);
        if (ignored)
        {
            using var result = act();
            result.Keys.InitiatorToResponder.Should().Equal(_s.KeyI2R);
            result.Peer.Fingerprint.Should().Be(_s.InitiatorKeys.Fingerprint);
        }
        else
        {
            act.Should().Throw<HandshakeFailedException>();
        }
    }

    [Fact]
    public void Initiator_CallsOutOfOrder_Throw()
    {
        using (var i = _s.NewInitiator())
        {
            var early = () => i.ProcessVerify(_s.Verify);
            early.Should().Throw<InvalidOperationException>();
        }

        using (var i = _s.NewInitiator())
        {
            i.CreateRequest();
            var again = () => i.CreateRequest();
            again.Should().Throw<InvalidOperationException>();
        }

        using (var i = _s.InitiatorAwaitingVerify())
        {
            using var result = i.ProcessVerify(_s.Verify).Result;
            var twice = () => i.ProcessVerify(_s.Verify);
            twice.Should().Throw<InvalidOperationException>();
        }

        using (var i = _s.InitiatorAwaitingVerify())
        {
            var bad = () => i.ProcessVerify(_s.Request);
            bad.Should().Throw<HandshakeFailedException>();

            // A failure is final: not even the honest VERIFY is accepted afterwards.
            var retry = () => i.ProcessVerify(_s.Verify);
            retry.Should().Throw<InvalidOperationException>();
        }
    }

    [Fact]
    public void Responder_CallsOutOfOrder_Throw()
    {
        using (var r = _s.NewResponder())
        {
            var early = () => r.ProcessFinalize(_s.Finalize);
            early.Should().Throw<InvalidOperationException>();
        }

        using (var r = _s.ResponderAwaitingFinalize())
        {
            var again = () => r.ProcessRequest(_s.Request);
            again.Should().Throw<InvalidOperationException>();
        }

        using (var r = _s.ResponderAwaitingFinalize())
        {
            using var result = r.ProcessFinalize(_s.Finalize);
            var twice = () => r.ProcessFinalize(_s.Finalize);
            twice.Should().Throw<InvalidOperationException>();
        }

        using (var r = _s.ResponderAwaitingFinalize())
        {
            var bad = () => r.ProcessFinalize(_s.Verify);
            bad.Should().Throw<HandshakeFailedException>();
            var retry = () => r.ProcessFinalize(_s.Finalize);
            retry.Should().Throw<InvalidOperationException>();
        }
    }

    [Fact]
    public void MessagesInTheWrongPlace_Fail()
    {
        foreach (var body in new[] { _s.Verify, _s.Finalize })
        {
            using var r = _s.NewResponder();
            var act = () => r.ProcessRequest(body);
            act.Should().Throw<HandshakeFailedException>();
        }

        foreach (var body in new[] { _s.Request, _s.Finalize })
        {
            using var i = _s.InitiatorAwaitingVerify();
            var act = () => i.ProcessVerify(body);
            act.Should().Throw<HandshakeFailedException>();
        }

        foreach (var body in new[] { _s.Request, _s.Verify })
        {
            using var r = _s.ResponderAwaitingFinalize();
            var act = () => r.ProcessFinalize(body);
            act.Should().Throw<HandshakeFailedException>();
        }
    }

    [Fact]
    public void ReplayedRequestAndFinalize_ToAFreshResponder_Fail()
    {
        // An attacker replays a recorded REQUEST: R answers with a new ephemeral, so the recorded FINALIZE
        // (sealed under the old session's kI and th4) does not open.
        using var r = new HandshakeResponder(_s.Responder, null, FixedEntropy.Seeded(0x77), _s.Remembering(_s.ResponderKeys));
        r.ProcessRequest(_s.Request);
        var act = () => r.ProcessFinalize(_s.Finalize);
        act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.DecryptionFailed);
    }

    [Fact]
    public void MessagesFromAnotherSession_Fail()
    {
        var other = new HandshakeScenario(_ids.Alice, _ids.Bob, seed: 0x40);

        using (var r = _s.ResponderAwaitingFinalize())
        {
            var act = () => r.ProcessFinalize(other.Finalize);
            act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.DecryptionFailed);
        }

        using (var i = _s.InitiatorAwaitingVerify())
        {
            var act = () => i.ProcessVerify(other.Verify);
            act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.DecryptionFailed);
        }
    }

    [Fact]
    public void SignatureFromAnotherSession_SplicedIntoAuth_Fails()
    {
        var other = new HandshakeScenario(_ids.Alice, _ids.Bob, seed: 0x40);

        using (var r = _s.NewResponder(sign: _ => other.ResponderTrace.SigR!))
        using (var i = _s.InitiatorAwaitingVerify())
        {
            var verify = r.ProcessRequest(_s.Request);
            var act = () => i.ProcessVerify(verify);
            act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.InvalidSignature);
        }

        using (var i = _s.NewInitiator(sign: _ => other.InitiatorTrace.SigI!))
        using (var r = _s.ResponderAwaitingFinalize())
        {
            i.CreateRequest();
            var (finalize, iResult) = i.ProcessVerify(_s.Verify);
            using var _ = iResult;
            var act = () => r.ProcessFinalize(finalize);
            act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.InvalidSignature);
        }
    }

    [Fact]
    public void VerifySignatureReusedAsFinalize_Fails()
    {
        // I signs its transcript with R's phase-2 context: the per-phase context strings keep the two apart.
        using var i = _s.NewInitiator(sign: m => Signer.Sign(_s.InitiatorKeys.Key, Signer.ContextMessage(
            "OpenRed/1 VERIFY", m.AsSpan("OpenRed/1 FINALIZE".Length + 1))));
        using var r = _s.ResponderAwaitingFinalize();
        i.CreateRequest();
        var (finalize, iResult) = i.ProcessVerify(_s.Verify);
        using var _ = iResult;
        var act = () => r.ProcessFinalize(finalize);
        act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.InvalidSignature);
    }

    [Fact]
    public void SignedWithAKeyOtherThanTheOneInIdentity_Fails()
    {
        using (var r = _s.NewResponder(sign: m => Signer.Sign(_ids.Carol.Key, m)))
        using (var i = _s.InitiatorAwaitingVerify())
        {
            var verify = r.ProcessRequest(_s.Request);
            var act = () => i.ProcessVerify(verify);
            act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.InvalidSignature);
        }

        using (var i = _s.NewInitiator(sign: m => Signer.Sign(_ids.Carol.Key, m)))
        using (var r = _s.ResponderAwaitingFinalize())
        {
            i.CreateRequest();
            var (finalize, iResult) = i.ProcessVerify(_s.Verify);
            using var _ = iResult;
            var act = () => r.ProcessFinalize(finalize);
            act.Should().Throw<HandshakeFailedException>().Which.Reason.Should().Be(HandshakeFailure.InvalidSignature);
        }
    }

    private void ExpectNoSessionFromRequest(byte[] request, string what)
    {
        using var r = _s.NewResponder();
        byte[] verify;
        try
        {
            verify = r.ProcessRequest(request);
        }
        catch (HandshakeFailedException)
        {
            return;
        }

        using var i = _s.InitiatorAwaitingVerify();
        var act = () => i.ProcessVerify(verify);
        act.Should().Throw<HandshakeFailedException>(what).Which.Reason.Should().Be(HandshakeFailure.DecryptionFailed, what);
    }

    /// <summary>A plain check: these loops run thousands of times, and an assertion library's machinery adds up.</summary>
    private static void ExpectFailure(Action act, string what)
    {
        try
        {
            act();
        }
        catch (HandshakeFailedException)
        {
            return;
        }

        Assert.Fail("no failure for " + what);
    }

    /// <summary>
    /// Every byte position with one bit flipped (rotating through the bit positions), or with each of its
    /// eight bits flipped in turn for the short REQUEST, whose parse is where a flip can still yield a message.
    /// </summary>
    private static IEnumerable<(int Position, byte[] Flipped)> BitFlips(byte[] message, bool allBits)
    {
        for (var position = 0; position < message.Length; position++)
        {
            for (var bit = 0; bit < 8; bit++)
            {
                if (!allBits && bit != position % 8)
                {
                    continue;
                }

                var flipped = (byte[])message.Clone();
                flipped[position] ^= (byte)(1 << bit);
                yield return (position, flipped);
            }
        }
    }
}
