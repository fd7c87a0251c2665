using System.Diagnostics;
using System.Security.Cryptography;
using OpenRed.Bench.Report;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core.Identity;
using OpenRed.Core.Mesh;
using OpenRed.Core.Storage;
using OpenRed.Core.Security;
using OpenRed.Core.Security.Internal;

namespace OpenRed.Bench.Scenarios;

/// <summary>
/// Stopwatch splits of one handshake's CPU without sockets: the responder's and initiator's state machines driven
/// against each other in one thread, and the public-key import each side does, beside the crypto limit's parts.
/// </summary>
internal static class HandshakeSplits
{
    public static IReadOnlyList<Figure> Run(int count)
    {
        using var rKeys = NodeIdentity.Generate();
        using var iKeys = NodeIdentity.Generate();
        var rLocal = new LocalIdentity(rKeys, "responder", "general", 7000);
        var iLocal = new LocalIdentity(iKeys, "initiator", "general", 7001);

        for (var i = 0; i < 200; i++)
        {
            One(rLocal, iLocal, out _, out _);
        }

        Thread.Sleep(200);
        long responderTicks = 0, initiatorTicks = 0;
        for (var i = 0; i < count; i++)
        {
            One(rLocal, iLocal, out var r, out var it);
            responderTicks += r;
            initiatorTicks += it;
        }

        var spki = iKeys.Spki;
        var import = CryptoCost.PerCall(TimeSpan.FromSeconds(0.3), () =>
        {
            using var k = RsaPublicKey.TryImport(spki, out _);
        });
        var message = Signer.ContextMessage("openred-bench", new byte[64]);
        var signature = Signer.Sign(iKeys.Key, message);
        var importVerify = CryptoCost.PerCall(TimeSpan.FromSeconds(0.3), () =>
        {
            using var k = RsaPublicKey.TryImport(spki, out _);
            _ = Signer.Verify(k!, message, signature);
        });
        var rawImport = CryptoCost.PerCall(TimeSpan.FromSeconds(0.3), () =>
        {
            using var k = RSA.Create();
            k.ImportSubjectPublicKeyInfo(spki, out _);
        });
        var modulus = spki.AsSpan(RsaPublicKey.CanonicalSpkiLength - 5 - 256, 256).ToArray();
        var paramsImport = CryptoCost.PerCall(TimeSpan.FromSeconds(0.3), () =>
        {
            using var k = RSA.Create();
            k.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = [1, 0, 1] });
        });
        var paramsImportVerify = CryptoCost.PerCall(TimeSpan.FromSeconds(0.3), () =>
        {
            using var k = RSA.Create();
            k.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = [1, 0, 1] });
            _ = Signer.Verify(k, message, signature);
        });
        var prk = new byte[32];
        var okm = new byte[32];
        var hkdf = CryptoCost.PerCall(TimeSpan.FromSeconds(0.3), () =>
        {
            HKDF.Extract(HashAlgorithmName.SHA256, spki.AsSpan(0, 32), spki.AsSpan(32, 32), prk);
            HKDF.Expand(HashAlgorithmName.SHA256, prk, okm, "openred/1 bench"u8);
        });
        var aes = CryptoCost.PerCall(TimeSpan.FromSeconds(0.3), () =>
        {
            using var a = new AesGcm(spki.AsSpan(0, 32), 16);
        });

        var (record, touch) = LinkStoreCost(iKeys);

        double Us(long ticks) => ticks * 1e6 / Stopwatch.Frequency / count;
        return
        [
            new Figure("split handshake: responder state machine CPU", Us(responderTicks), "µs")
            {
                Note = $"ProcessRequest + ProcessFinalize, no I/O; {1e6 / Us(responderTicks):0} handshakes/s on one core if that were all",
            },
            new Figure("split handshake: initiator state machine CPU", Us(initiatorTicks), "µs") { Note = "CreateRequest + ProcessVerify, no I/O" },
            new Figure("split handshake: RsaPublicKey.TryImport (import + canonical check)", import, "µs") { Note = "done once a side per handshake" },
            new Figure("split handshake: RSA.ImportSubjectPublicKeyInfo alone", rawImport, "µs") { Note = "TryImport adds ExportParameters and ExportSubjectPublicKeyInfo to check the encoding" },
            new Figure("split handshake: TryImport + first verify with that key", importVerify, "µs") { Note = "what a side pays for the peer's key" },
            new Figure("split handshake: RSA.ImportParameters (modulus, e) alone", paramsImport, "µs") { Note = "the same key from its parts, without OpenSSL's DER decoder" },
            new Figure("split handshake: ImportParameters + first verify", paramsImportVerify, "µs"),
            new Figure("split handshake: HKDF-SHA256 extract + expand", hkdf, "µs") { Note = "two extracts and five expands a side per handshake" },
            new Figure("split session: LinkStore.Record (SQLite, node only)", record, "µs") { Note = "on the accepting thread when a session opens" },
            new Figure("split session: LinkStore.Touch (SQLite, node only)", touch, "µs") { Note = "when a session closes" },
            new Figure("split handshake: new AesGcm", aes, "µs") { Note = "two a side per session (FrameCipher each way)" },
        ];
    }

    /// <summary>What a whole node adds per session: the link row written when it opens and touched when it closes.</summary>
    private static (double Record, double Touch) LinkStoreCost(NodeIdentity peerKeys)
    {
        var dir = Directory.CreateTempSubdirectory("openred-bench-links-");
        try
        {
            var db = NodeDatabase.Open(Path.Combine(dir.FullName, DataDirectory.DatabaseFileName), NullLogger.Instance);
            var links = new LinkStore(db);
            var peer = new PeerIdentity(peerKeys.Fingerprint, peerKeys.Spki, "initiator", "general", 7001, false);
            var record = CryptoCost.PerCall(TimeSpan.FromSeconds(0.3), () => links.Record(peer, "127.0.0.1", 7001, DateTimeOffset.UtcNow));
            var touch = CryptoCost.PerCall(TimeSpan.FromSeconds(0.3), () => links.Touch(peer.Fingerprint, DateTimeOffset.UtcNow));
            return (record, touch);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                dir.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static void One(LocalIdentity rLocal, LocalIdentity iLocal, out long responderTicks, out long initiatorTicks)
    {
        using var initiator = new HandshakeInitiator(iLocal, rLocal.Keys.Fingerprint);
        using var responder = new HandshakeResponder(rLocal);
        var t0 = Stopwatch.GetTimestamp();
        var request = initiator.CreateRequest();
        var t1 = Stopwatch.GetTimestamp();
        var verify = responder.ProcessRequest(request);
        var t2 = Stopwatch.GetTimestamp();
        var (finalize, iResult) = initiator.ProcessVerify(verify);
        var t3 = Stopwatch.GetTimestamp();
        using var rResult = responder.ProcessFinalize(finalize);
        var t4 = Stopwatch.GetTimestamp();
        iResult.Dispose();
        responderTicks = (t2 - t1) + (t4 - t3);
        initiatorTicks = (t1 - t0) + (t3 - t2);
    }
}
