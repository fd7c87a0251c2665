using System.Security.Cryptography;
using Google.Protobuf;
using OpenRed.Core.Identity;
using OpenRed.Core.Wire.Proto;
using WireFinalize = OpenRed.Core.Wire.Proto.Finalize;

namespace OpenRed.Core.Security.Internal;

/// <summary>
/// R's side of section 5 as a pure state machine: <see cref="ProcessRequest"/> yields the VERIFY body,
/// <see cref="ProcessFinalize"/> the result. Any failure throws <see cref="HandshakeFailedException"/> and
/// erases every secret; a call out of order is a bug of the caller (<see cref="InvalidOperationException"/>).
/// </summary>
internal sealed class HandshakeResponder : IDisposable
{
    private readonly LocalIdentity _local;
    private readonly Func<Fingerprint, bool> _isBlocked;
    private readonly IHandshakeEntropy _entropy;
    private readonly Func<byte[], byte[]> _sign;
    private readonly HandshakeTrace? _trace;
    private readonly TranscriptHash _th = new();
    private readonly byte[] _identity;
    private byte[]? _hs;
    private byte[]? _kI;
    private byte[]? _th4;
    private HandshakeStep _step = HandshakeStep.Start;

    /// <param name="sign">Signs a whole context message; null means RSA-PSS with <paramref name="local"/>'s key.</param>
    public HandshakeResponder(
        LocalIdentity local, Func<Fingerprint, bool>? isBlocked = null, IHandshakeEntropy? entropy = null,
        Func<byte[], byte[]>? sign = null, HandshakeTrace? trace = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        _local = local;
        _isBlocked = isBlocked ?? (_ => false);
        _entropy = entropy ?? SystemHandshakeEntropy.Instance;
        _sign = sign ?? (m => Signer.Sign(local.Keys.Key, m));
        _trace = trace;
        _identity = HandshakeIdentityCodec.Encode(local);
    }

    /// <summary>Phases 1 and 2: checks REQUEST (hashed as received) and returns the VERIFY body.</summary>
    public byte[] ProcessRequest(ReadOnlySpan<byte> requestBody)
    {
        HandshakeStep.Start.Require(_step);
        _step = HandshakeStep.Failed;
        byte[]? kR = null;
        try
        {
            var request = HandshakeWire.Parse(Request.Parser, requestBody, "Request");
            _th.Mix(requestBody);
            if (_trace is not null)
            {
                _trace.Request = requestBody.ToArray();
                _trace.Th1 = _th.Current;
            }

            if (request.Version != HandshakeConstants.Version)
            {
                throw new HandshakeFailedException(HandshakeFailure.UnsupportedVersion, $"Request version {request.Version} is not 1");
            }

            if (request.Ephemeral.Length != HandshakeConstants.EphemeralLength)
            {
                throw HandshakeWire.WrongLength("Request ephemeral", HandshakeConstants.EphemeralLength);
            }

            if (request.Nonce.Length != HandshakeConstants.NonceLength)
            {
                throw HandshakeWire.WrongLength("Request nonce", HandshakeConstants.NonceLength);
            }

            var nonce = new byte[HandshakeConstants.NonceLength];
            var dh = new byte[HandshakeConstants.KeyLength];
            byte[] ephemeralPublic;
            var secret = new byte[EphemeralKey.Length];
            bool agreed;
            try
            {
                _entropy.FillEphemeralPrivateKey(secret);
                _entropy.FillNonce(nonce);
                using var er = new EphemeralKey(secret);
                ephemeralPublic = er.PublicKey;
                agreed = er.TryAgree(request.Ephemeral.Span, dh);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(secret);
            }

            _th.Mix(ephemeralPublic, nonce);
            var th2 = _th.Current;
            if (!agreed)
            {
                throw new HandshakeFailedException(HandshakeFailure.InvalidKeyShare, "X25519 result is all zero");
            }

            HandshakeKeySchedule.DeriveHandshakeKeys(th2, dh, _trace, out _hs, out kR, out _kI);
            _th.Mix(_identity);
            var th3 = _th.Current;
            var sigR = _sign(Signer.ContextMessage(HandshakeConstants.VerifyContext, th3));
            _th.Mix(sigR);
            _th4 = _th.Current;
            var authR = HandshakeAuth.Encode(_identity, sigR);
            var sealedR = HandshakeAuth.Seal(kR, th2, authR);
            var verify = new Verify
            {
                Ephemeral = ByteString.CopyFrom(ephemeralPublic),
                Nonce = ByteString.CopyFrom(nonce),
                Sealed = ByteString.CopyFrom(sealedR),
            }.ToByteArray();
            if (_trace is not null)
            {
                _trace.Th2 = th2;
                _trace.IdR = (byte[])_identity.Clone();
                _trace.Th3 = th3;
                _trace.SigR = (byte[])sigR.Clone();
                _trace.Th4 = (byte[])_th4.Clone();
                _trace.AuthR = authR;
                _trace.SealedR = sealedR;
                _trace.Verify = (byte[])verify.Clone();
            }

            _step = HandshakeStep.AwaitingFinalize;
            return verify;
        }
        catch
        {
            EraseSecrets();
            throw;
        }
        finally
        {
            HandshakeKeySchedule.Erase(kR);
        }
    }

    /// <summary>Phase 3: checks FINALIZE and returns the session.</summary>
    public HandshakeResult ProcessFinalize(ReadOnlySpan<byte> finalizeBody)
    {
        HandshakeStep.AwaitingFinalize.Require(_step);
        _step = HandshakeStep.Failed;
        PeerKey? peerKey = null;
        try
        {
            var finalize = HandshakeWire.Parse(WireFinalize.Parser, finalizeBody, "Finalize");
            var auth = HandshakeAuth.Open(_kI, _th4, finalize.Sealed.Span, out var authI);
            CryptographicOperations.ZeroMemory(_kI);
            var peer = HandshakeIdentityCodec.Decode(auth.Identity.Span, out peerKey);
            _th.Mix(auth.Identity.Span);
            var th5 = _th.Current;
            peerKey.VerifySignature(HandshakeConstants.FinalizeContext, th5, auth.Signature.Span);
            _th.Mix(auth.Signature.Span);
            var th6 = _th.Current;
            if (_trace is not null)
            {
                _trace.Finalize = finalizeBody.ToArray();
                _trace.SealedI = finalize.Sealed.ToByteArray();
                _trace.AuthI = authI;
                _trace.IdI = auth.Identity.ToByteArray();
                _trace.Th5 = th5;
                _trace.SigI = auth.Signature.ToByteArray();
                _trace.Th6 = th6;
            }

            HandshakeAuth.CheckNotSelf(_local, peer);
            if (_isBlocked(peer.Fingerprint))
            {
                throw new HandshakeFailedException(HandshakeFailure.BlockedPeer, "peer is blocked");
            }

            var keys = HandshakeKeySchedule.DeriveSessionKeys(th6, _hs, _trace);
            _step = HandshakeStep.Done;
            return new HandshakeResult(peer, keys, isInitiator: false);
        }
        finally
        {
            EraseSecrets();
            peerKey?.Dispose();
        }
    }

    public void Dispose()
    {
        EraseSecrets();
        if (_step != HandshakeStep.Done)
        {
            _step = HandshakeStep.Failed;
        }
    }

    private void EraseSecrets()
    {
        HandshakeKeySchedule.Erase(_hs, _kI);
        _hs = null;
        _kI = null;
    }
}
