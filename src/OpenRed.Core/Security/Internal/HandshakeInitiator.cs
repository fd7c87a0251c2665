using System.Security.Cryptography;
using Google.Protobuf;
using OpenRed.Core.Identity;
using OpenRed.Core.Wire.Proto;
using WireFinalize = OpenRed.Core.Wire.Proto.Finalize;

namespace OpenRed.Core.Security.Internal;

/// <summary>
/// I's side of section 5 as a pure state machine: <see cref="CreateRequest"/>, then <see cref="ProcessVerify"/>,
/// which yields the FINALIZE body and the result. Any failure throws <see cref="HandshakeFailedException"/> and
/// erases every secret; a call out of order is a bug of the caller (<see cref="InvalidOperationException"/>).
/// </summary>
internal sealed class HandshakeInitiator : IDisposable
{
    private readonly LocalIdentity _local;
    private readonly Fingerprint? _expected;
    private readonly IHandshakeEntropy _entropy;
    private readonly Func<byte[], byte[]> _sign;
    private readonly HandshakeTrace? _trace;
    private readonly TranscriptHash _th = new();
    private readonly byte[] _identity;
    private EphemeralKey? _ephemeral;
    private HandshakeStep _step = HandshakeStep.Start;

    /// <param name="sign">Signs a whole context message; null means RSA-PSS with <paramref name="local"/>'s key.</param>
    public HandshakeInitiator(
        LocalIdentity local, Fingerprint? expected, IHandshakeEntropy? entropy = null,
        Func<byte[], byte[]>? sign = null, HandshakeTrace? trace = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        _local = local;
        _expected = expected;
        _entropy = entropy ?? SystemHandshakeEntropy.Instance;
        _sign = sign ?? (m => Signer.Sign(local.Keys.Key, m));
        _trace = trace;
        _identity = HandshakeIdentityCodec.Encode(local);
    }

    /// <summary>Phase 1: the REQUEST body.</summary>
    public byte[] CreateRequest()
    {
        HandshakeStep.Start.Require(_step);
        _step = HandshakeStep.Failed;
        var secret = new byte[EphemeralKey.Length];
        try
        {
            _entropy.FillEphemeralPrivateKey(secret);
            _ephemeral = new EphemeralKey(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }

        var nonce = new byte[HandshakeConstants.NonceLength];
        _entropy.FillNonce(nonce);
        var q = new Request
        {
            Version = HandshakeConstants.Version,
            Ephemeral = ByteString.CopyFrom(_ephemeral.PublicKey),
            Nonce = ByteString.CopyFrom(nonce),
        }.ToByteArray();
        _th.Mix(q);
        if (_trace is not null)
        {
            _trace.Request = (byte[])q.Clone();
            _trace.Th1 = _th.Current;
        }

        _step = HandshakeStep.AwaitingVerify;
        return q;
    }

    /// <summary>Phases 2 and 3: checks VERIFY, returns the FINALIZE body and the session.</summary>
    public (byte[] Finalize, HandshakeResult Result) ProcessVerify(ReadOnlySpan<byte> verifyBody)
    {
        HandshakeStep.AwaitingVerify.Require(_step);
        _step = HandshakeStep.Failed;
        byte[]? hs = null, kR = null, kI = null;
        PeerKey? peerKey = null;
        try
        {
            var verify = HandshakeWire.Parse(Verify.Parser, verifyBody, "Verify");
            if (verify.Ephemeral.Length != HandshakeConstants.EphemeralLength)
            {
                throw HandshakeWire.WrongLength("Verify ephemeral", HandshakeConstants.EphemeralLength);
            }

            if (verify.Nonce.Length != HandshakeConstants.NonceLength)
            {
                throw HandshakeWire.WrongLength("Verify nonce", HandshakeConstants.NonceLength);
            }

            _th.Mix(verify.Ephemeral.Span, verify.Nonce.Span);
            var th2 = _th.Current;
            var dh = new byte[HandshakeConstants.KeyLength];
            var agreed = _ephemeral!.TryAgree(verify.Ephemeral.Span, dh);
            _ephemeral.Dispose();
            if (!agreed)
            {
                throw new HandshakeFailedException(HandshakeFailure.InvalidKeyShare, "X25519 result is all zero");
            }

            HandshakeKeySchedule.DeriveHandshakeKeys(th2, dh, _trace, out hs, out kR, out kI);
            var auth = HandshakeAuth.Open(kR, th2, verify.Sealed.Span, out var authR);
            CryptographicOperations.ZeroMemory(kR);
            var peer = HandshakeIdentityCodec.Decode(auth.Identity.Span, out peerKey);
            _th.Mix(auth.Identity.Span);
            var th3 = _th.Current;
            peerKey.VerifySignature(HandshakeConstants.VerifyContext, th3, auth.Signature.Span);
            _th.Mix(auth.Signature.Span);
            var th4 = _th.Current;
            if (_trace is not null)
            {
                _trace.Verify = verifyBody.ToArray();
                _trace.Th2 = th2;
                _trace.SealedR = verify.Sealed.ToByteArray();
                _trace.AuthR = authR;
                _trace.IdR = auth.Identity.ToByteArray();
                _trace.Th3 = th3;
                _trace.SigR = auth.Signature.ToByteArray();
                _trace.Th4 = th4;
            }

            HandshakeAuth.CheckNotSelf(_local, peer);
            if (_expected is not null && !_expected.FixedTimeEquals(peer.Fingerprint.Bytes))
            {
                throw new HandshakeFailedException(HandshakeFailure.UnexpectedPeer, "peer is not the expected fingerprint");
            }

            _th.Mix(_identity);
            var th5 = _th.Current;
            var sigI = _sign(Signer.ContextMessage(HandshakeConstants.FinalizeContext, th5));
            _th.Mix(sigI);
            var th6 = _th.Current;
            var authI = HandshakeAuth.Encode(_identity, sigI);
            var sealedI = HandshakeAuth.Seal(kI, th4, authI);
            CryptographicOperations.ZeroMemory(kI);
            var finalize = new WireFinalize { Sealed = ByteString.CopyFrom(sealedI) }.ToByteArray();
            if (_trace is not null)
            {
                _trace.IdI = (byte[])_identity.Clone();
                _trace.Th5 = th5;
                _trace.SigI = (byte[])sigI.Clone();
                _trace.Th6 = th6;
                _trace.AuthI = authI;
                _trace.SealedI = sealedI;
                _trace.Finalize = (byte[])finalize.Clone();
            }

            var keys = HandshakeKeySchedule.DeriveSessionKeys(th6, hs, _trace);
            _step = HandshakeStep.Done;
            return (finalize, new HandshakeResult(peer, keys, isInitiator: true));
        }
        finally
        {
            // ei serves exactly one agreement; whatever happened, it is gone now.
            _ephemeral?.Dispose();
            _ephemeral = null;
            HandshakeKeySchedule.Erase(hs, kR, kI);
            peerKey?.Dispose();
        }
    }

    public void Dispose()
    {
        _ephemeral?.Dispose();
        _ephemeral = null;
        if (_step != HandshakeStep.Done)
        {
            _step = HandshakeStep.Failed;
        }
    }
}
