using Google.Protobuf;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>This node's own answer about a record it holds: itself first, then up to 15 replica holders it knows.</summary>
internal sealed class FoundBuilder(PhoenixIndex index, IPhoenixNetwork network, PhoenixOptions options)
{
    public UrnFound Build(ByteString queryId, StoredUrn stored)
    {
        var info = stored.Info;
        var found = new UrnFound { QueryId = queryId, Record = info.Record, Have = HolderCodec.Have(index.Held(info)) };
        found.Holders.Add(new PeerInfo
        {
            Fingerprint = ByteString.CopyFrom(network.Self.Bytes),
            NodeId = network.SelfNodeId,
            Port = (uint)network.ListenPort,
        });
        foreach (var h in index.Holders(info.Root)
            .Where(h => h.Fingerprint != network.Self && h.Host.Length > 0 && h.Port > 0)
            .Take(options.MaxHoldersPerAnswer - 1))
        {
            found.Holders.Add(new PeerInfo
            {
                Fingerprint = ByteString.CopyFrom(h.Fingerprint.Bytes),
                NodeId = h.NodeId,
                Host = h.Host,
                Port = (uint)h.Port,
                LastSeenMs = (ulong)Math.Max(0, h.SeenMs),
            });
        }

        return found;
    }

    /// <summary>The newest record per publisher among <paramref name="records"/>.</summary>
    public static IEnumerable<StoredUrn> NewestPerPublisher(IEnumerable<StoredUrn> records) =>
        records.GroupBy(r => r.Info.Publisher).Select(g => g.Aggregate((a, b) => b.Info.IsNewerThan(a.Info) ? b : a));
}
