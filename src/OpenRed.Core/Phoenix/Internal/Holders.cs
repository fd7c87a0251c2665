using System.Net;
using Google.Protobuf;
using OpenRed.Core.Identity;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>A holder of a record as an answer named it: where to reach it and, when known, which chunks it has.</summary>
internal sealed record HolderRef(Fingerprint Fingerprint, string NodeId, IPEndPoint? Endpoint, bool[]? Have);

/// <summary>One valid answer to a query: the record, its holders, and the session it came on.</summary>
internal sealed record FoundAnswer(RecordInfo Info, IReadOnlyList<HolderRef> Holders, IPhoenixPeer Via);

/// <summary>The <c>holders</c> and <c>have</c> fields of UrnFound, both ways.</summary>
internal static class HolderCodec
{
    /// <summary>The bitfield of section 12 (bit i % 8 of byte i / 8); empty when every chunk is held.</summary>
    public static ByteString Have(bool[] held)
    {
        if (held.All(h => h))
        {
            return ByteString.Empty;
        }

        var bits = new byte[(held.Length + 7) / 8];
        for (var i = 0; i < held.Length; i++)
        {
            if (held[i])
            {
                bits[i / 8] |= (byte)(1 << (i % 8));
            }
        }

        return ByteString.CopyFrom(bits);
    }

    /// <summary>Null for "all" (empty) or a bitfield of the wrong length (then the holder is simply asked).</summary>
    public static bool[]? ReadHave(ByteString have, int chunkCount)
    {
        if (have.IsEmpty || have.Length != (chunkCount + 7) / 8)
        {
            return null;
        }

        var held = new bool[chunkCount];
        for (var i = 0; i < chunkCount; i++)
        {
            held[i] = (have[i / 8] & (1 << (i % 8))) != 0;
        }

        return held;
    }

    /// <summary>
    /// The holders of an answer that came on <paramref name="via"/>, without this node. The first entry is the
    /// answering node and carries <c>have</c>; an entry without a host is reached through the session it came on.
    /// </summary>
    public static List<HolderRef> Read(UrnFound found, int chunkCount, IPhoenixPeer via, Fingerprint self)
    {
        var list = new List<HolderRef>();
        var first = true;
        foreach (var p in found.Holders)
        {
            var isFirst = first;
            first = false;
            if (!Fingerprint.TryFromBytes(p.Fingerprint.Span, out var fingerprint) || fingerprint! == self
                || list.Any(h => h.Fingerprint == fingerprint))
            {
                continue;
            }

            IPEndPoint? endpoint = null;
            if (IPAddress.TryParse(p.Host, out var ip) && p.Port is > 0 and <= 65535)
            {
                endpoint = new IPEndPoint(ip, (int)p.Port);
            }
            else if (fingerprint == via.Fingerprint)
            {
                endpoint = via.DialAddress;
            }

            list.Add(new HolderRef(fingerprint!, Wire.WireText.TruncateUtf8(p.NodeId, 64), endpoint, isFirst ? ReadHave(found.Have, chunkCount) : null));
        }

        if (!list.Any(h => h.Fingerprint == via.Fingerprint) && found.Holders.Count == 0)
        {
            // An answer that names no holder comes from the node that sent it.
            list.Add(new HolderRef(via.Fingerprint, via.NodeId, via.DialAddress, ReadHave(found.Have, chunkCount)));
        }

        return list;
    }

    /// <summary>Fills the address of holder entries that name <paramref name="via"/> without one (a relay knows it).</summary>
    public static void FillAddress(UrnFound found, IPhoenixPeer via)
    {
        if (via.DialAddress is not { } dial)
        {
            return;
        }

        foreach (var p in found.Holders)
        {
            if (p.Host.Length == 0 && via.Fingerprint.FixedTimeEquals(p.Fingerprint.Span))
            {
                p.Host = Common.Endpoints.Normalize(dial.Address).ToString();
                p.Port = (uint)dial.Port;
            }
        }
    }
}
