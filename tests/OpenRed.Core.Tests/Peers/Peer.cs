using OpenRed.Core.Identity;
using OpenRed.Core.Peers;

namespace OpenRed.Core.Tests.Peers;

/// <summary>Fingerprints and addresses for the peer tests; a fingerprint's byte sets its order.</summary>
internal static class Peer
{
    public static Fingerprint Fp(byte b) => Fingerprint.FromBytes(Enumerable.Repeat(b, Fingerprint.Length).ToArray());

    public static PeerAddress At(string host, int port = 7900) => PeerAddress.Create(host, port);
}
