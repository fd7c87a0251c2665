using System.Security.Cryptography;

namespace OpenRed.Core.Security.Internal;

/// <summary>The HKDF steps of section 5: handshake keys from dh, session keys from hs.</summary>
internal static class HandshakeKeySchedule
{
    /// <summary>hs = Extract(th2, dh); kR, kI from hs. Erases <paramref name="dh"/>.</summary>
    public static void DeriveHandshakeKeys(
        ReadOnlySpan<byte> th2, byte[] dh, HandshakeTrace? trace, out byte[] hs, out byte[] kR, out byte[] kI)
    {
        if (trace is not null)
        {
            trace.Dh = (byte[])dh.Clone();
        }

        hs = Hkdf.Extract(th2, dh);
        CryptographicOperations.ZeroMemory(dh);
        kR = Hkdf.Expand(hs, HandshakeConstants.HandshakeR2I, HandshakeConstants.KeyLength);
        kI = Hkdf.Expand(hs, HandshakeConstants.HandshakeI2R, HandshakeConstants.KeyLength);
        if (trace is not null)
        {
            trace.Hs = (byte[])hs.Clone();
            trace.KR = (byte[])kR.Clone();
            trace.KI = (byte[])kI.Clone();
        }
    }

    /// <summary>ms = Extract(th6, hs), then k_i2r, k_r2i and the session id. Erases ms; the caller erases hs.</summary>
    public static SessionKeys DeriveSessionKeys(ReadOnlySpan<byte> th6, ReadOnlySpan<byte> hs, HandshakeTrace? trace)
    {
        var ms = Hkdf.Extract(th6, hs);
        try
        {
            var i2r = Hkdf.Expand(ms, HandshakeConstants.SessionI2R, HandshakeConstants.KeyLength);
            var r2i = Hkdf.Expand(ms, HandshakeConstants.SessionR2I, HandshakeConstants.KeyLength);
            var sessionId = Hkdf.Expand(ms, HandshakeConstants.SessionIdLabel, HandshakeConstants.SessionIdLength);
            if (trace is not null)
            {
                trace.Ms = (byte[])ms.Clone();
                trace.KeyI2R = (byte[])i2r.Clone();
                trace.KeyR2I = (byte[])r2i.Clone();
                trace.SessionId = (byte[])sessionId.Clone();
            }

            return new SessionKeys(i2r, r2i, sessionId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ms);
        }
    }

    public static void Erase(params byte[]?[] buffers)
    {
        foreach (var b in buffers)
        {
            if (b is not null)
            {
                CryptographicOperations.ZeroMemory(b);
            }
        }
    }
}
