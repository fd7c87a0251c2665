using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OpenRed.Core.Identity;
using OpenRed.Core.Security.Internal;

namespace OpenRed.Bench.Scenarios;

/// <summary>
/// The per-side cryptographic cost of one handshake as BENCHMARKS.md defines it (one RSA-PSS sign, one verify, one
/// X25519 key pair, one agreement), measured with the same calls the handshake makes, on the calling thread's core.
/// </summary>
internal sealed record CryptoCost(double SignUs, double VerifyUs, double KeyPairUs, double AgreeUs)
{
    public double PerSideUs => SignUs + VerifyUs + KeyPairUs + AgreeUs;

    /// <summary>Handshakes a second one core could complete if the crypto of one side were all it did.</summary>
    public double LimitPerSecond => 1e6 / PerSideUs;

    /// <param name="warmup">
    /// All four operations run in turn this long before any is timed, then the thread pauses briefly: in a process
    /// pinned to one core the tiered JIT's background compiler competes with the loop, and BouncyCastle's X25519 stays
    /// at tier 0 (3 to 5 times slower) for a second or more.
    /// </param>
    public static CryptoCost Measure(TimeSpan perOperation, TimeSpan warmup)
    {
        using var identity = NodeIdentity.Generate();
        // The handshake verifies with a key imported from the peer's SPKI, a public-only object.
        using var publicKey = RSA.Create();
        publicKey.ImportSubjectPublicKeyInfo(identity.Spki, out _);
        var message = Signer.ContextMessage("openred-bench", RandomNumberGenerator.GetBytes(64));
        var signature = Signer.Sign(identity.Key, message);
        var secrets = RandomNumberGenerator.GetBytes(32);
        using var peer = new EphemeralKey(RandomNumberGenerator.GetBytes(32));
        var shared = new byte[32];

        using var mine = new EphemeralKey(secrets);
        var warm = Stopwatch.StartNew();
        for (var i = 0; i < 100_000 && (i < 30 || warm.Elapsed < warmup); i++)
        {
            var s = Signer.Sign(identity.Key, message);
            _ = Signer.Verify(publicKey, message, s);
            using var k = new EphemeralKey(secrets);
            _ = k.TryAgree(peer.PublicKey, shared);
        }

        Thread.Sleep(200);
        var sign = PerCall(perOperation, () => Signer.Sign(identity.Key, message));
        var verify = PerCall(perOperation, () =>
        {
            if (!Signer.Verify(publicKey, message, signature))
            {
                throw new CryptographicException("verify failed");
            }
        });
        var keyPair = PerCall(perOperation, () =>
        {
            secrets[0]++;
            using var k = new EphemeralKey(secrets);
        });
        var agree = PerCall(perOperation, () =>
        {
            if (!mine.TryAgree(peer.PublicKey, shared))
            {
                throw new CryptographicException("agreement failed");
            }
        });
        return new CryptoCost(sign, verify, keyPair, agree);
    }

    public JsonObject ToJson() => new()
    {
        ["sign_us"] = SignUs,
        ["verify_us"] = VerifyUs,
        ["keypair_us"] = KeyPairUs,
        ["agree_us"] = AgreeUs,
    };

    public static CryptoCost FromJson(JsonNode node) =>
        new((double)node["sign_us"]!, (double)node["verify_us"]!, (double)node["keypair_us"]!, (double)node["agree_us"]!);

    public string Describe() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"sign {SignUs:0} µs + verify {VerifyUs:0} µs + X25519 key pair {KeyPairUs:0} µs + agreement {AgreeUs:0} µs = {PerSideUs:0} µs per side");

    /// <summary>Mean microseconds per call after a short warm-up, running for about <paramref name="duration"/> (bounded count too).</summary>
    internal static double PerCall(TimeSpan duration, Action op)
    {
        for (var i = 0; i < 30; i++)
        {
            op();
        }

        const int maxCalls = 10_000_000;
        var sw = Stopwatch.StartNew();
        var calls = 0;
        while (calls < maxCalls && (calls < 10 || sw.Elapsed < duration))
        {
            op();
            calls++;
        }

        return sw.Elapsed.TotalMicroseconds / calls;
    }
}
