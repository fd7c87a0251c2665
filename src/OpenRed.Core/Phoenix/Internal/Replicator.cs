using System.Globalization;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Identity;
using OpenRed.Core.Limits;
using OpenRed.Core.Security;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>
/// Replication of section 8: offers to the peers closest to <c>H(name)</c>, the receiving side (who may offer,
/// quotas, pull, pin, acknowledge), and the maintenance round in which every holder counts the live holders and
/// the closest live one repairs the count.
/// </summary>
internal sealed partial class Replicator(
    PhoenixIndex index, IPhoenixNetwork network, RecordIntake intake, Resolver resolver, PhoenixOptions options, TimeProvider time,
    PhoenixCounters counters, ILogger logger)
{
    private readonly TokenBucket _maintenancePace = new(Math.Max(1, options.QueriesPerSecond / 2), Math.Max(1, options.QueryBurst / 2), time);
    private long _offersSent;
    private long _acksStored;
    private long _repairs;

    public long OffersSent => Interlocked.Read(ref _offersSent);

    public long AcksStored => Interlocked.Read(ref _acksStored);

    public long Repairs => Interlocked.Read(ref _repairs);

    /// <summary>Offers a record to the <paramref name="count"/> closest sessions outside <paramref name="exclude"/>; returns those that stored it.</summary>
    public async Task<IReadOnlyList<UrnHolder>> OfferAsync(RecordInfo info, int count, IReadOnlySet<Fingerprint> exclude, CancellationToken cancellationToken)
    {
        if (count <= 0)
        {
            return [];
        }

        var targets = XorDistance.Closest(network.Sessions.Where(s => !exclude.Contains(s.Fingerprint) && s.Fingerprint != network.Self), s => s.Fingerprint, info.Name)
            .Take(count).ToList();
        var results = await Task.WhenAll(targets.Select(t => OfferOneAsync(info, t, cancellationToken)));
        return [.. results.OfType<UrnHolder>()];
    }

    private async Task<UrnHolder?> OfferOneAsync(RecordInfo info, IPhoenixPeer peer, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _offersSent);
        try
        {
            var answer = await peer.RequestAsync(new Envelope { ReplicateOffer = new ReplicateOffer { Record = info.Record } }, cancellationToken);
            if (answer.BodyCase == Envelope.BodyOneofCase.ReplicateAck && answer.ReplicateAck.Stored
                && answer.ReplicateAck.Root.Span.SequenceEqual(info.Root))
            {
                Interlocked.Increment(ref _acksStored);
                NoteHolder(info.Root, peer);
                LogReplicated(logger, info.Name, peer.NodeId, peer.Fingerprint.Short);
                return new UrnHolder(peer.Fingerprint, peer.NodeId, info.ChunkCount);
            }

            LogDeclined(logger, info.Name, peer.NodeId, answer.BodyCase.ToString());
        }
        catch (Exception e) when (e is OperationCanceledException or SessionClosedException or TimeoutException or InvalidOperationException or IOException)
        {
            LogDeclined(logger, info.Name, peer.NodeId, e.Message);
        }

        return null;
    }

    /// <summary>A peer offers a record: accept it only from its publisher or a known holder, within the quotas; pull, pin, acknowledge.</summary>
    public async Task HandleOfferAsync(IPhoenixPeer from, Envelope request, PhoenixReply reply, CancellationToken cancellationToken)
    {
        var info = intake.Accept(request.ReplicateOffer.Record);
        if (info is null)
        {
            await reply(Errors.Of(ErrorCode.BadRequest, "invalid record"), true, cancellationToken);
            return;
        }

        var stored = await AcceptAsync(from, info, cancellationToken);
        await reply(new Envelope { ReplicateAck = new ReplicateAck { Root = Google.Protobuf.ByteString.CopyFrom(info.Root), Stored = stored } }, true, cancellationToken);
    }

    private async Task<bool> AcceptAsync(IPhoenixPeer from, RecordInfo info, CancellationToken cancellationToken)
    {
        var existing = index.Get(info.Root);
        var fromPublisher = from.Fingerprint == info.Publisher;
        if (!fromPublisher && !index.Holders(info.Root).Any(h => h.Fingerprint == from.Fingerprint) && !await IsHolderAsync(from, info, cancellationToken))
        {
            counters.Refuse(Refusal.ReplicaNotHolder);
            return false;
        }

        if ((existing?.Role ?? UrnRole.Cached) < UrnRole.Replica
            && (index.ReplicaBytes() + (long)info.Size > (long)(options.CacheSizeBytes * options.ReplicaShareOfCache)
                || index.ReplicaBytes(info.Publisher) + (long)info.Size > options.ReplicaBytesPerPublisher))
        {
            counters.Refuse(Refusal.ReplicaQuota);
            return false;
        }

        index.PutRecord(info, UrnRole.Replica, null, Now());
        NoteHolder(info.Root, from);
        try
        {
            var sources = new List<IChunkSource> { resolver.SourceFor(new HolderRef(from.Fingerprint, from.NodeId, from.DialAddress, null), from) };
            sources.AddRange(index.Holders(info.Root)
                .Where(h => h.Fingerprint != from.Fingerprint && h.Fingerprint != network.Self && network.Find(h.Fingerprint) is not null)
                .Select(h => resolver.SourceFor(new HolderRef(h.Fingerprint, h.NodeId, null, null), null)));
            await resolver.FetchAsync(info, sources, cancellationToken);
            LogStoredReplica(logger, info.Name, from.NodeId);
            return true;
        }
        catch (Exception e) when (e is PhoenixException or OperationCanceledException or IOException)
        {
            // Not kept pinned: what arrived stays as evictable cache.
            if (existing is null || existing.Role < UrnRole.Replica)
            {
                index.SetRole(info.Root, existing?.Role ?? UrnRole.Cached);
            }

            LogReplicaFailed(logger, info.Name, e.Message);
            return false;
        }
    }

    /// <summary>Asks the offerer itself (hops 0) whether it holds the whole record: then it is a holder this node knows.</summary>
    private async Task<bool> IsHolderAsync(IPhoenixPeer peer, RecordInfo info, CancellationToken cancellationToken)
    {
        var live = await LiveHoldersAsync(info, [peer], cancellationToken);
        return live.Contains(peer.Fingerprint);
    }

    /// <summary>The peers among <paramref name="peers"/> that answer a hops-0 query holding every chunk of the record.</summary>
    public async Task<HashSet<Fingerprint>> LiveHoldersAsync(RecordInfo info, IReadOnlyList<IPhoenixPeer> peers, CancellationToken cancellationToken)
    {
        var live = new HashSet<Fingerprint>();
        var single = new SingleNetwork(network, peers);
        await using var search = NetworkSearch.Start(single, intake, options, time, counters, info.Name, info.Publisher, 0, cancellationToken);
        try
        {
            await foreach (var answer in search.Answers.ReadAllAsync(cancellationToken))
            {
                if (answer.Info.Root.AsSpan().SequenceEqual(info.Root)
                    && answer.Holders.FirstOrDefault(h => h.Fingerprint == answer.Via.Fingerprint) is { Have: null })
                {
                    live.Add(answer.Via.Fingerprint);
                    NoteHolder(info.Root, answer.Via);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The search's own deadline.
        }

        return live;
    }

    /// <summary>One maintenance round over every published and replicated record.</summary>
    public async Task MaintainAsync(CancellationToken cancellationToken)
    {
        foreach (var stored in index.All().Where(s => s.Role >= UrnRole.Replica))
        {
            cancellationToken.ThrowIfCancellationRequested();
            while (!_maintenancePace.TryTake())
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
            }

            await MaintainOneAsync(stored, cancellationToken);
        }
    }

    private async Task MaintainOneAsync(StoredUrn stored, CancellationToken cancellationToken)
    {
        var info = stored.Info;
        var sessions = network.Sessions;
        var live = await LiveHoldersAsync(info, sessions, cancellationToken);
        live.Add(network.Self);
        var replicas = live.Count(f => f != info.Publisher);
        if (replicas >= options.Replicas)
        {
            return;
        }

        var closest = XorDistance.Closest(live, f => f, info.Name)[0];
        if (closest != network.Self)
        {
            return;
        }

        Interlocked.Increment(ref _repairs);
        LogRepairing(logger, info.Name, replicas, options.Replicas);
        var exclude = new HashSet<Fingerprint>(live) { info.Publisher };
        await OfferAsync(info, options.Replicas - replicas, exclude, cancellationToken);
    }

    /// <summary>Live replicas of a record as far as this node knows now: known holders with an open session, and itself.</summary>
    public int LiveReplicas(StoredUrn stored)
    {
        var info = stored.Info;
        var count = index.Holders(info.Root).Count(h => h.Fingerprint != info.Publisher && h.Fingerprint != network.Self && network.Find(h.Fingerprint) is not null);
        return count + (stored.Role == UrnRole.Replica ? 1 : 0);
    }

    private void NoteHolder(byte[] root, IPhoenixPeer peer)
    {
        var dial = peer.DialAddress;
        index.AddHolder(root, peer.Fingerprint, peer.NodeId,
            dial is null ? "" : Common.Endpoints.Normalize(dial.Address).ToString(), dial?.Port ?? 0, Now());
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The network narrowed to some sessions, for a query to those only.</summary>
    private sealed class SingleNetwork(IPhoenixNetwork inner, IReadOnlyList<IPhoenixPeer> peers) : IPhoenixNetwork
    {
        public Fingerprint Self => inner.Self;

        public string SelfNodeId => inner.SelfNodeId;

        public int ListenPort => inner.ListenPort;

        public IReadOnlyList<IPhoenixPeer> Sessions => peers;

        public IPhoenixPeer? Find(Fingerprint fingerprint) => inner.Find(fingerprint);

        public Task<IPhoenixPeer> ConnectAsync(System.Net.IPEndPoint endpoint, Fingerprint expected, CancellationToken cancellationToken) =>
            inner.ConnectAsync(endpoint, expected, cancellationToken);
    }

    [LoggerMessage(EventId = 6120, Level = LogLevel.Information, Message = "{Name} replicated on {NodeId} ({Fingerprint})")]
    private static partial void LogReplicated(ILogger logger, string name, string nodeId, string fingerprint);

    [LoggerMessage(EventId = 6121, Level = LogLevel.Information, Message = "{Name}: replica offer to {NodeId} not stored: {Reason}")]
    private static partial void LogDeclined(ILogger logger, string name, string nodeId, string reason);

    [LoggerMessage(EventId = 6122, Level = LogLevel.Information, Message = "Stored a replica of {Name} offered by {NodeId}")]
    private static partial void LogStoredReplica(ILogger logger, string name, string nodeId);

    [LoggerMessage(EventId = 6123, Level = LogLevel.Warning, Message = "Replica of {Name} not stored: {Reason}")]
    private static partial void LogReplicaFailed(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 6124, Level = LogLevel.Information, Message = "{Name} has {Live} live replicas of {Wanted}: offering it again")]
    private static partial void LogRepairing(ILogger logger, string name, int live, int wanted);
}
