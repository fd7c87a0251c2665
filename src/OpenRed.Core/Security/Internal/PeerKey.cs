using System.Collections.Concurrent;
using System.Security.Cryptography;
using OpenRed.Core.Identity;

namespace OpenRed.Core.Security.Internal;

/// <summary>
/// A peer's imported RSA public key for one handshake's signature check. Importing a key through OpenSSL costs about
/// as much as signing (0.2-0.3 ms: its decoder's provider lookups), so keys of peers seen recently are kept, by
/// fingerprint, for the next handshake with them (reconnects, sessions that come and go). Only the parsed key is
/// kept, never a verdict: every handshake still verifies its own signature. A cached key is used by one handshake at
/// a time (an RSA instance is not meant for concurrent use), and it is never disposed: one evicted may still be in use.
/// </summary>
internal sealed class PeerKey : IDisposable
{
    /// <summary>Keys kept; the cache is emptied when it is full, so a flood of new keys costs only their imports.</summary>
    public const int CacheCapacity = 1024;

    private static readonly ConcurrentDictionary<Fingerprint, PeerKey> Cache = new();

    private readonly RSA _rsa;
    private readonly byte[] _spki;
    private readonly Lock _gate = new();

    private PeerKey(RSA rsa, byte[] spki)
    {
        _rsa = rsa;
        _spki = spki;
    }

    /// <summary>Cached keys, for tests.</summary>
    internal static int CachedCount => Cache.Count;

    /// <summary>The key of <paramref name="spki"/> (which hashes to <paramref name="fingerprint"/>), or null with the reason it is refused.</summary>
    public static PeerKey? TryGet(byte[] spki, Fingerprint fingerprint, out string? error)
    {
        if (Cache.TryGetValue(fingerprint, out var cached) && cached._spki.AsSpan().SequenceEqual(spki))
        {
            error = null;
            return cached;
        }

        var rsa = RsaPublicKey.TryImport(spki, out error);
        if (rsa is null)
        {
            return null;
        }

        if (Cache.Count >= CacheCapacity)
        {
            // Dropped keys are left to the garbage collector: a handshake may be verifying with one right now.
            Cache.Clear();
        }

        var key = new PeerKey(rsa, spki);
        Cache[fingerprint] = key;
        return key;
    }

    /// <summary>Verifies the peer's signature; throws <see cref="HandshakeFailedException"/> when it does not verify.</summary>
    public void VerifySignature(string context, ReadOnlySpan<byte> th, ReadOnlySpan<byte> signature)
    {
        lock (_gate)
        {
            HandshakeAuth.VerifySignature(_rsa, context, th, signature);
        }
    }

    /// <summary>Nothing to release: the key stays cached (and an evicted one is left to the garbage collector).</summary>
    public void Dispose()
    {
    }
}
