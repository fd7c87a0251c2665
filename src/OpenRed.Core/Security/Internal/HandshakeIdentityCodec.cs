using System.Security.Cryptography;
using Google.Protobuf;
using OpenRed.Core.Identity;
using WireIdentity = OpenRed.Core.Wire.Proto.Identity;

namespace OpenRed.Core.Security.Internal;

/// <summary>The Identity message of a handshake: ours encoded, the peer's parsed and checked (sections 2 and 11).</summary>
internal static class HandshakeIdentityCodec
{
    public const int MaxPort = 65535;

    /// <summary>Serializes our Identity; refuses labels a peer would reject, so a bad setting fails here, not remotely.</summary>
    public static byte[] Encode(LocalIdentity local)
    {
        ArgumentNullException.ThrowIfNull(local);
        if (!NodeLabels.IsValidNodeId(local.NodeId))
        {
            throw new ArgumentException("local node-id is not a valid node-id", nameof(local));
        }

        if (!NodeLabels.IsValidSector(local.Sector))
        {
            throw new ArgumentException("local sector is not a valid sector", nameof(local));
        }

        if (local.ListenPort is < 0 or > MaxPort)
        {
            throw new ArgumentException("local listen port is outside 0..65535", nameof(local));
        }

        return new WireIdentity
        {
            PublicKey = ByteString.CopyFrom(local.Keys.Spki),
            NodeId = local.NodeId,
            Sector = local.Sector,
            ListenPort = (uint)local.ListenPort,
            Unlisted = local.Unlisted,
        }.ToByteArray();
    }

    /// <summary>
    /// Parses and checks a received Identity. Returns the peer and its key (the caller disposes it; a key from the cache
    /// of recent peers stays cached); throws <see cref="HandshakeFailedException"/> with
    /// <see cref="HandshakeFailure.InvalidIdentity"/> otherwise.
    /// </summary>
    public static PeerIdentity Decode(ReadOnlySpan<byte> identityBytes, out PeerKey publicKey)
    {
        var peer = Parse(identityBytes);
        publicKey = PeerKey.TryGet(peer.PublicKey, peer.Fingerprint, out var error)
            ?? throw new HandshakeFailedException(HandshakeFailure.InvalidIdentity, "peer " + error);
        return peer;
    }

    private static PeerIdentity Parse(ReadOnlySpan<byte> identityBytes)
    {
        WireIdentity id;
        try
        {
            id = WireIdentity.Parser.ParseFrom(identityBytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new HandshakeFailedException(HandshakeFailure.InvalidIdentity, "peer Identity is not a valid message", e);
        }

        if (!NodeLabels.IsValidNodeId(id.NodeId))
        {
            throw new HandshakeFailedException(HandshakeFailure.InvalidIdentity, "peer node-id is invalid");
        }

        if (!NodeLabels.IsValidSector(id.Sector))
        {
            throw new HandshakeFailedException(HandshakeFailure.InvalidIdentity, "peer sector is invalid");
        }

        if (id.ListenPort > MaxPort)
        {
            throw new HandshakeFailedException(HandshakeFailure.InvalidIdentity, "peer listen port is above 65535");
        }

        var spki = id.PublicKey.ToByteArray();
        return new PeerIdentity(Fingerprint.Of(spki), spki, id.NodeId, id.Sector, (int)id.ListenPort, id.Unlisted);
    }
}
