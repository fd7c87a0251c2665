using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Identity;
using OpenRed.Core.Security;
using OpenRed.Core.Security.Internal;
using OpenRed.Core.Tests.Support;
using OpenRed.Core.Wire.Proto;
using WireFinalize = OpenRed.Core.Wire.Proto.Finalize;
using WireIdentity = OpenRed.Core.Wire.Proto.Identity;

namespace OpenRed.Core.Tests.Security;

/// <summary>The public drivers of <see cref="Handshake"/>, both roles over an in-memory duplex stream.</summary>
public sealed class HandshakeTests(HandshakeIdentities ids) : IClassFixture<HandshakeIdentities>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task InitiateAndRespond_FreshIdentities_AgreeOnKeysAndPeers()
    {
        var (a, b) = DuplexPipe.Create();
        await using var _a = a;
        await using var _b = b;
        var alice = new LocalIdentity(ids.Alice, "alice", "family", 8081);
        var bob = new LocalIdentity(ids.Bob, "bob.home", "general", 0, Unlisted: true);
        Fingerprint? seenByBlockCheck = null;

        var initiating = Handshake.InitiateAsync(a, alice, ids.Bob.Fingerprint, HandshakeOptions.Default, TimeProvider.System, CancellationToken.None);
        var responding = Handshake.RespondAsync(
            b, bob, f => { seenByBlockCheck = f; return false; }, HandshakeOptions.Default, TimeProvider.System, CancellationToken.None);
        using var i = await initiating.WaitAsync(Wait);
        using var r = await responding.WaitAsync(Wait);

        i.IsInitiator.Should().BeTrue();
        r.IsInitiator.Should().BeFalse();
        i.Keys.InitiatorToResponder.Should().Equal(r.Keys.InitiatorToResponder).And.HaveCount(32);
        i.Keys.ResponderToInitiator.Should().Equal(r.Keys.ResponderToInitiator).And.HaveCount(32);
        i.Keys.SessionId.Should().Equal(r.Keys.SessionId).And.HaveCount(16);
        i.Keys.InitiatorToResponder.Should().NotEqual(i.Keys.ResponderToInitiator);

        i.Peer.Fingerprint.Should().Be(ids.Bob.Fingerprint);
        i.Peer.PublicKey.Should().Equal(ids.Bob.Spki);
        i.Peer.NodeId.Should().Be("bob.home");
        i.Peer.Sector.Should().Be("general");
        i.Peer.ListenPort.Should().Be(0);
        i.Peer.Unlisted.Should().BeTrue();

        r.Peer.Fingerprint.Should().Be(ids.Alice.Fingerprint);
        r.Peer.PublicKey.Should().Equal(ids.Alice.Spki);
        r.Peer.NodeId.Should().Be("alice");
        r.Peer.Sector.Should().Be("family");
        r.Peer.ListenPort.Should().Be(8081);
        r.Peer.Unlisted.Should().BeFalse();
        seenByBlockCheck.Should().Be(ids.Alice.Fingerprint);
    }

    [Fact]
    public async Task InitiateAndRespond_TwoHandshakes_GiveDifferentKeys()
    {
        var first = await RunAsync();
        var second = await RunAsync();
        first.Should().NotEqual(second);

        async Task<byte[]> RunAsync()
        {
            var (a, b) = DuplexPipe.Create();
            await using var _a = a;
            await using var _b = b;
            var i = Handshake.InitiateAsync(a, Local(ids.Alice), null, HandshakeOptions.Default, TimeProvider.System, CancellationToken.None);
            var r = Handshake.RespondAsync(b, Local(ids.Bob), _ => false, HandshakeOptions.Default, TimeProvider.System, CancellationToken.None);
            using var ri = await i.WaitAsync(Wait);
            using var rr = await r.WaitAsync(Wait);
            return ri.Keys.InitiatorToResponder.ToArray();
        }
    }

    [Fact]
    public async Task Drivers_VectorInputs_GiveVectorSessionKeys()
    {
        var v = HandshakeVector.Load();
        using var iKeys = v.LoadIdentity("initiator");
        using var rKeys = v.LoadIdentity("responder");
        var (a, b) = DuplexPipe.Create();
        await using var _a = a;
        await using var _b = b;

        var initiating = Handshake.InitiateAsync(
            a, v.Local("initiator", iKeys), rKeys.Fingerprint, HandshakeOptions.Default, TimeProvider.System,
            v.Entropy("initiator"), _ => v.Hex("phase3", "sigI"), CancellationToken.None);
        var responding = Handshake.RespondAsync(
            b, v.Local("responder", rKeys), _ => false, HandshakeOptions.Default, TimeProvider.System,
            v.Entropy("responder"), _ => v.Hex("phase2", "sigR"), CancellationToken.None);
        using var i = await initiating.WaitAsync(Wait);
        using var r = await responding.WaitAsync(Wait);

        foreach (var result in new[] { i, r })
        {
            result.Keys.InitiatorToResponder.Should().Equal(v.Hex("session", "k_i2r"));
            result.Keys.ResponderToInitiator.Should().Equal(v.Hex("session", "k_r2i"));
            result.Keys.SessionId.Should().Equal(v.Hex("session", "session_id"));
        }
    }

    [Fact]
    public async Task Initiate_UnexpectedPeer_FailsAndResponderSeesClose()
    {
        var (a, b) = DuplexPipe.Create();
        await using var _b = b;
        var initiating = Handshake.InitiateAsync(a, Local(ids.Alice), ids.Carol.Fingerprint, HandshakeOptions.Default, TimeProvider.System, CancellationToken.None);
        var responding = Handshake.RespondAsync(b, Local(ids.Bob), _ => false, HandshakeOptions.Default, TimeProvider.System, CancellationToken.None);

        var e = await Assert.ThrowsAsync<HandshakeFailedException>(() => initiating.WaitAsync(Wait));
        e.Reason.Should().Be(HandshakeFailure.UnexpectedPeer);

        // The caller owns the stream and closes it on failure; the responder then gives up.
        await a.DisposeAsync();
        var r = await Assert.ThrowsAsync<HandshakeFailedException>(() => responding.WaitAsync(Wait));
        r.Reason.Should().Be(HandshakeFailure.ConnectionClosed);
    }

    [Fact]
    public async Task Respond_BlockedPeer_Fails()
    {
        var (a, b) = DuplexPipe.Create();
        await using var _a = a;
        await using var _b = b;
        var initiating = Handshake.InitiateAsync(a, Local(ids.Alice), null, HandshakeOptions.Default, TimeProvider.System, CancellationToken.None);
        var responding = Handshake.RespondAsync(
            b, Local(ids.Bob), f => f == ids.Alice.Fingerprint, HandshakeOptions.Default, TimeProvider.System, CancellationToken.None);

        var e = await Assert.ThrowsAsync<HandshakeFailedException>(() => responding.WaitAsync(Wait));
        e.Reason.Should().Be(HandshakeFailure.BlockedPeer);

        // I has sent FINALIZE and holds keys, but R never sends a frame that opens: the session layer waits for one.
        using var i = await initiating.WaitAsync(Wait);
    }

    [Fact]
    public async Task Respond_SelfConnection_InitiatorFails()
    {
        var (a, b) = DuplexPipe.Create();
        await using var _b = b;
        var initiating = Handshake.InitiateAsync(a, Local(ids.Alice), null, HandshakeOptions.Default, TimeProvider.System, CancellationToken.None);
        var responding = Handshake.RespondAsync(b, Local(ids.Alice), _ => false, HandshakeOptions.Default, TimeProvider.System, CancellationToken.None);

        var e = await Assert.ThrowsAsync<HandshakeFailedException>(() => initiating.WaitAsync(Wait));
        e.Reason.Should().Be(HandshakeFailure.SelfConnection);
        await a.DisposeAsync();
        await Assert.ThrowsAsync<HandshakeFailedException>(() => responding.WaitAsync(Wait));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(16385u)]
    public async Task Respond_FrameLengthOutOfBounds_FailsMalformed(uint length)
    {
        var (a, b) = DuplexPipe.Create();
        await using var _a = a;
        await using var _b = b;
        var responding = Handshake.RespondAsync(b, Local(ids.Bob), _ => false, HandshakeOptions.Default, TimeProvider.System, CancellationToken.None);
        var header = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header, length);
        await a.WriteAsync(header);
        await a.FlushAsync();

        var e = await Assert.ThrowsAsync<HandshakeFailedException>(() => responding.WaitAsync(Wait));
        e.Reason.Should().Be(HandshakeFailure.Malformed);
    }

    [Fact]
    public async Task Respond_PeerClosesBeforeRequest_FailsConnectionClosed()
    {
        var (a, b) = DuplexPipe.Create();
        await using var _b = b;
        var responding = Handshake.RespondAsync(b, Local(ids.Bob), _ => false, HandshakeOptions.Default, TimeProvider.System, CancellationToken.None);
        await a.DisposeAsync();

        var e = await Assert.ThrowsAsync<HandshakeFailedException>(() => responding.WaitAsync(Wait));
        e.Reason.Should().Be(HandshakeFailure.ConnectionClosed);
    }

    [Fact]
    public async Task Respond_CallerCancels_ThrowsOperationCanceled()
    {
        var (a, b) = DuplexPipe.Create();
        await using var _a = a;
        await using var _b = b;
        using var cts = new CancellationTokenSource();
        var responding = Handshake.RespondAsync(b, Local(ids.Bob), _ => false, HandshakeOptions.Default, new FakeTimeProvider(), cts.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => responding.WaitAsync(Wait));
    }

    [Fact]
    public void Result_Dispose_ErasesKeys()
    {
        var keys = new SessionKeys([1, 2, 3], [4, 5, 6], [7, 8]);
        var result = new HandshakeResult(
            new PeerIdentity(ids.Bob.Fingerprint, ids.Bob.Spki, "bob", "general", 1, false), keys, isInitiator: true);
        result.Dispose();
        keys.InitiatorToResponder.Should().OnlyContain(x => x == 0);
        keys.ResponderToInitiator.Should().OnlyContain(x => x == 0);
    }

    private static LocalIdentity Local(NodeIdentity keys) => new(keys, "node-" + keys.Fingerprint.Short, "general", 8080);
}

/// <summary>Identities generated once per test class (RSA key generation is the slow part of these tests).</summary>
public sealed class HandshakeIdentities : IDisposable
{
    public NodeIdentity Alice { get; } = NodeIdentity.Generate();

    public NodeIdentity Bob { get; } = NodeIdentity.Generate();

    public NodeIdentity Carol { get; } = NodeIdentity.Generate();

    public void Dispose()
    {
        Alice.Dispose();
        Bob.Dispose();
        Carol.Dispose();
    }
}

/// <summary>vectors/handshake.json, read as hex.</summary>
internal sealed class HandshakeVector
{
    private readonly JsonElement _root;

    private HandshakeVector(JsonElement root) => _root = root;

    public static HandshakeVector Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestData.Path("vectors/handshake.json")));
        return new HandshakeVector(doc.RootElement.Clone());
    }

    public byte[] Hex(string section, string name) => Convert.FromHexString(Text(section, name));

    public string Text(string section, string name) => _root.GetProperty(section).GetProperty(name).GetString()!;

    public string Text(string name) => _root.GetProperty(name).GetString()!;

    public byte[] Hex(string name) => Convert.FromHexString(Text(name));

    public NodeIdentity LoadIdentity(string role) =>
        NodeIdentity.FromPem(File.ReadAllText(TestData.Path("vectors/" + Text(role, "private_key_file"))));

    public LocalIdentity Local(string role, NodeIdentity keys) =>
        new(keys, Text(role, "node_id"), Text(role, "sector"), _root.GetProperty(role).GetProperty("listen_port").GetInt32());

    public FixedEntropy Entropy(string role) => new(Hex(role, "ephemeral_private"), Hex(role, "nonce"));
}

/// <summary>Ephemeral keys and nonces chosen by the test: every run of a scenario sends the same bytes.</summary>
internal sealed class FixedEntropy(byte[] ephemeralPrivate, byte[] nonce) : IHandshakeEntropy
{
    public static FixedEntropy Seeded(byte seed) =>
        new(Enumerable.Repeat(seed, 32).ToArray(), Enumerable.Repeat((byte)(seed ^ 0x5a), 32).ToArray());

    public void FillEphemeralPrivateKey(Span<byte> destination) => ephemeralPrivate.CopyTo(destination);

    public void FillNonce(Span<byte> destination) => nonce.CopyTo(destination);
}

/// <summary>
/// A deterministic handshake between two identities: fixed entropy on both sides and signers that remember
/// their signatures, so state machines can be rebuilt and fed honest or tampered messages cheaply.
/// </summary>
internal sealed class HandshakeScenario
{
    private readonly Dictionary<string, byte[]> _signatures = [];

    public HandshakeScenario(NodeIdentity initiator, NodeIdentity responder, byte seed)
    {
        InitiatorKeys = initiator;
        ResponderKeys = responder;
        Initiator = new LocalIdentity(initiator, "initiator", "general", 1001);
        Responder = new LocalIdentity(responder, "responder", "general", 1002);
        InitiatorEntropy = FixedEntropy.Seeded(seed);
        ResponderEntropy = FixedEntropy.Seeded((byte)(seed + 1));

        using var i = NewInitiator(trace: InitiatorTrace);
        using var r = NewResponder(trace: ResponderTrace);
        Request = i.CreateRequest();
        Verify = r.ProcessRequest(Request);
        (Finalize, var iResult) = i.ProcessVerify(Verify);
        using var rResult = r.ProcessFinalize(Finalize);
        using (iResult)
        {
            KeyI2R = iResult.Keys.InitiatorToResponder.ToArray();
            KeyR2I = iResult.Keys.ResponderToInitiator.ToArray();
        }
    }

    public NodeIdentity InitiatorKeys { get; }
    public NodeIdentity ResponderKeys { get; }
    public LocalIdentity Initiator { get; }
    public LocalIdentity Responder { get; }
    public FixedEntropy InitiatorEntropy { get; }
    public FixedEntropy ResponderEntropy { get; }
    public HandshakeTrace InitiatorTrace { get; } = new();
    public HandshakeTrace ResponderTrace { get; } = new();
    public byte[] Request { get; }
    public byte[] Verify { get; }
    public byte[] Finalize { get; }
    public byte[] KeyI2R { get; }
    public byte[] KeyR2I { get; }

    public HandshakeInitiator NewInitiator(Fingerprint? expected = null, Func<byte[], byte[]>? sign = null, HandshakeTrace? trace = null) =>
        new(Initiator, expected, InitiatorEntropy, sign ?? Remembering(InitiatorKeys), trace);

    public HandshakeResponder NewResponder(
        Func<Fingerprint, bool>? isBlocked = null, Func<byte[], byte[]>? sign = null, HandshakeTrace? trace = null,
        LocalIdentity? local = null) =>
        new(local ?? Responder, isBlocked, ResponderEntropy, sign ?? Remembering(ResponderKeys), trace);

    /// <summary>An initiator that has sent the honest REQUEST and waits for VERIFY.</summary>
    public HandshakeInitiator InitiatorAwaitingVerify()
    {
        var i = NewInitiator();
        i.CreateRequest();
        return i;
    }

    /// <summary>A responder that has answered the honest REQUEST and waits for FINALIZE.</summary>
    public HandshakeResponder ResponderAwaitingFinalize(Func<Fingerprint, bool>? isBlocked = null, HandshakeTrace? trace = null)
    {
        var r = NewResponder(isBlocked, trace: trace);
        r.ProcessRequest(Request);
        return r;
    }

    /// <summary>Signs with the real key once per distinct message (PSS is randomized; the cache keeps runs identical and fast).</summary>
    public Func<byte[], byte[]> Remembering(NodeIdentity keys) => m =>
    {
        var k = keys.Fingerprint.Hex + Convert.ToHexString(m);
        lock (_signatures)
        {
            if (!_signatures.TryGetValue(k, out var sig))
            {
                sig = Signer.Sign(keys.Key, m);
                _signatures[k] = sig;
            }

            return sig;
        }
    };
}

/// <summary>Builds VERIFY and FINALIZE bodies with chosen Auth contents, sealed under a traced side's real keys.</summary>
internal static class HandshakeForge
{
    public static byte[] IdentityBytes(byte[] spki, string nodeId = "mallory", string sector = "general", uint port = 4242) =>
        new WireIdentity { PublicKey = ByteString.CopyFrom(spki), NodeId = nodeId, Sector = sector, ListenPort = port }.ToByteArray();

    public static Func<byte[], byte[]> SignWith(RSA key) => m => Signer.Sign(key, m);

    /// <summary>A VERIFY with the honest ephemeral and nonce of <paramref name="r"/> and an Auth of our choosing.</summary>
    public static byte[] Verify(HandshakeTrace r, byte[] identity, Func<byte[], byte[]> sign, string context = "OpenRed/1 VERIFY")
    {
        var th3 = SHA256.HashData([.. r.Th2!, .. identity]);
        var sig = sign(Signer.ContextMessage(context, th3));
        return VerifyWithAuth(r, HandshakeAuth.Encode(identity, sig));
    }

    public static byte[] VerifyWithAuth(HandshakeTrace r, byte[] authPlaintext)
    {
        var verify = OpenRed.Core.Wire.Proto.Verify.Parser.ParseFrom(r.Verify);
        verify.Sealed = ByteString.CopyFrom(Aead.Seal(r.KR, new byte[12], r.Th2, authPlaintext));
        return verify.ToByteArray();
    }

    /// <summary>A FINALIZE sealed for the responder whose trace is <paramref name="r"/> (after ProcessRequest).</summary>
    public static byte[] Finalize(HandshakeTrace r, byte[] identity, Func<byte[], byte[]> sign, string context = "OpenRed/1 FINALIZE")
    {
        var th5 = SHA256.HashData([.. r.Th4!, .. identity]);
        var sig = sign(Signer.ContextMessage(context, th5));
        return FinalizeWithAuth(r, HandshakeAuth.Encode(identity, sig));
    }

    public static byte[] FinalizeWithAuth(HandshakeTrace r, byte[] authPlaintext) =>
        new WireFinalize { Sealed = ByteString.CopyFrom(Aead.Seal(r.KI, new byte[12], r.Th4, authPlaintext)) }.ToByteArray();

    public static byte[] Request(uint version, byte[] ephemeral, byte[] nonce) =>
        new Request { Version = version, Ephemeral = ByteString.CopyFrom(ephemeral), Nonce = ByteString.CopyFrom(nonce) }.ToByteArray();
}
