using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Identity;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>
/// Resolution in the order of section 8: the local cache, the network (query, then fetch from every holder as
/// answers arrive), and regeneration from the source file at the publisher. The content ends in the store,
/// verified; the caller writes it out.
/// </summary>
internal sealed partial class Resolver(
    PhoenixIndex index, ChunkStore store, IPhoenixNetwork network, RecordIntake intake, PhoenixOptions options, TimeProvider time,
    PhoenixCounters counters, ILogger logger)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    public async Task<Resolution> ResolveAsync(
        UrnRequest request, TimeSpan timeout, UrnRole role, Action<ResurrectProgress>? progress, CancellationToken cancellationToken)
    {
        var tried = new List<string>();
        var remembered = index.ResolvedPublisher(request.Name);

        // 1. Cache.
        var local = Matching(index.ByName(request.Name, null), request).ToList();
        var chosen = Choose(local.Select(s => s.Info).ToList(), request, remembered, out var ambiguous);
        if (ambiguous.Count > 1 && chosen is null)
        {
            throw Ambiguity(request, [.. local.Select(s => s.Info)]);
        }

        if (chosen is not null)
        {
            var held = Verify(chosen);
            if (held.All(h => h))
            {
                index.PutRecord(chosen, role, null, Now());
                return new Resolution(chosen, ResurrectStage.Cache, [new UrnHolder(network.Self, network.SelfNodeId, chosen.ChunkCount)], Warn(request, chosen, remembered));
            }

            tried.Add(string.Create(CultureInfo.InvariantCulture, $"cache: {held.Count(h => h)} of {chosen.ChunkCount} chunks held"));
        }
        else
        {
            tried.Add("cache: not held");
        }

        // 2. Network.
        var found = await NetworkAsync(request, remembered, timeout, role, progress, tried, cancellationToken);
        if (found is not null)
        {
            return found;
        }

        // 3. Regeneration at the publisher, from its source file.
        var own = local.Where(s => s.Role == UrnRole.Published && s.SourcePath is not null && s.Info.Publisher == network.Self)
            .OrderByDescending(s => s.Info.Version).FirstOrDefault();
        if (own is null)
        {
            tried.Add("regeneration: not published by this node");
            throw new PhoenixException(PhoenixFailure.NotFound, $"{request}: not found within {Seconds(timeout)}: {string.Join("; ", tried)}");
        }

        Regenerate(own);
        return new Resolution(own.Info, ResurrectStage.Regeneration, [new UrnHolder(network.Self, network.SelfNodeId, own.Info.ChunkCount)], null);
    }

    /// <summary>
    /// Which chunks of a record are on disk and still match their hash (a corrupt one is deleted on the way; a file the
    /// index does not list yet is checked and listed).
    /// </summary>
    public bool[] Verify(RecordInfo info)
    {
        var held = index.Held(info);
        for (var i = 0; i < held.Length; i++)
        {
            if (held[i] && !store.Verify(info.Hash(i), info.ChunkLength(i)))
            {
                counters.Refuse(Refusal.CorruptChunk);
                held[i] = false;
            }
            else if (!held[i] && store.Adopt(info.Hash(i), info.ChunkLength(i)))
            {
                // Written before a kill whose index row never committed: checked, listed, not fetched again.
                held[i] = true;
            }
        }

        return held;
    }

    /// <summary>Fetches the missing chunks of a record (replication, or a resumed fetch) from the given holders.</summary>
    public async Task FetchAsync(RecordInfo info, IEnumerable<IChunkSource> sources, CancellationToken cancellationToken)
    {
        using var protect = store.Protect(info);
        await using var fetcher = new Fetcher(info, Verify(info), store, options, time, counters, null, cancellationToken);
        foreach (var s in sources)
        {
            fetcher.AddSource(s);
        }

        fetcher.NoMoreSources();
        await fetcher.WhenCompleteAsync(cancellationToken);
    }

    /// <summary>A chunk source for a holder an answer named: its session if one is open, else a dial with its fingerprint.</summary>
    public IChunkSource SourceFor(HolderRef holder, IPhoenixPeer? via) => new PeerChunkSource(holder.Fingerprint, holder.NodeId, holder.Have, async cancellationToken =>
    {
        if (via is not null && via.Fingerprint == holder.Fingerprint && via.IsOpen)
        {
            return via;
        }

        if (network.Find(holder.Fingerprint) is { } open)
        {
            return open;
        }

        if (holder.Endpoint is { } endpoint)
        {
            return await network.ConnectAsync(endpoint, holder.Fingerprint, cancellationToken);
        }

        throw new InvalidOperationException($"no address for holder {holder.Fingerprint.Short}");
    });

    private async Task<Resolution?> NetworkAsync(
        UrnRequest request, Fingerprint? remembered, TimeSpan timeout, UrnRole role, Action<ResurrectProgress>? progress, List<string> tried,
        CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var publisher = request.PublisherPrefix is { Length: Fingerprint.Length * 2 } full && Fingerprint.TryParseHex(full, out var f) ? f : null;
        var rounds = 0;
        var asked = 0;
        var answered = 0;
        while (true)
        {
            rounds++;
            await using var search = NetworkSearch.Start(network, intake, options, time, counters, request.Name, publisher, options.DefaultHops, cancellationToken);
            asked = Math.Max(asked, search.Asked);
            var result = await FollowAsync(search, request, remembered, timeout, clock, role, progress, cancellationToken);
            answered = Math.Max(answered, search.Done);
            if (result.Resolution is not null)
            {
                return result.Resolution;
            }

            if (result.Failure is not null)
            {
                tried.Add("network: " + result.Failure);
                return null;
            }

            // Nothing answered: ask again (sessions may have opened since) while the timeout allows a whole round.
            var left = timeout - clock.Elapsed;
            if (left < options.HopTime * (options.DefaultHops + 2) || cancellationToken.IsCancellationRequested)
            {
                tried.Add(string.Create(CultureInfo.InvariantCulture,
                    $"network: {rounds} {(rounds == 1 ? "query" : "queries")} to {asked} session(s), {answered} answered, no record"));
                return null;
            }

            await Task.Delay(options.HopTime, time, cancellationToken);
        }
    }

    private async Task<(Resolution? Resolution, string? Failure)> FollowAsync(
        NetworkSearch search, UrnRequest request, Fingerprint? remembered, TimeSpan timeout, Stopwatch clock, UrnRole role,
        Action<ResurrectProgress>? progress, CancellationToken cancellationToken)
    {
        var newest = new Dictionary<Fingerprint, RecordInfo>();
        var answers = new List<FoundAnswer>();
        var nodeIds = new Dictionary<Fingerprint, string>();
        Fetcher? fetcher = null;
        IDisposable? protect = null;
        var lastProgress = clock.Elapsed;
        long lastBytes = -1;
        var searchOpen = true;
        Task<bool>? read = null;
        try
        {
            while (true)
            {
                if (fetcher is { IsComplete: true })
                {
                    break;
                }

                var limit = fetcher is null ? timeout - clock.Elapsed : timeout - (clock.Elapsed - lastProgress);
                if (limit <= TimeSpan.Zero)
                {
                    return (null, fetcher is null
                        ? Describe(search, "no record")
                        : string.Create(CultureInfo.InvariantCulture, $"found v{fetcher.Info.Version} but no chunk arrived for {Seconds(timeout)}"
                            + $" ({fetcher.Remaining} of {fetcher.Info.ChunkCount} missing, {fetcher.HolderCount} holder(s) tried)"));
                }

                var waits = new List<Task>();
                if (searchOpen)
                {
                    read ??= search.Answers.WaitToReadAsync(cancellationToken).AsTask();
                    waits.Add(read);
                }

                Task? done = fetcher?.WhenCompleteAsync(cancellationToken);
                if (done is not null)
                {
                    waits.Add(done);
                }

                waits.Add(Task.Delay(limit < Tick ? limit : Tick, time, cancellationToken));
                await Task.WhenAny(waits);
                cancellationToken.ThrowIfCancellationRequested();
                if (done is { IsFaulted: true })
                {
                    return (null, string.Create(CultureInfo.InvariantCulture, $"found v{fetcher!.Info.Version}: ")
                        + done.Exception!.GetBaseException().Message);
                }

                if (read is { IsCompleted: true })
                {
                    if (!await read)
                    {
                        searchOpen = false;
                        fetcher?.NoMoreSources();
                        if (fetcher is null)
                        {
                            return (null, null);
                        }
                    }
                    else
                    {
                        while (search.Answers.TryRead(out var answer))
                        {
                            if (request.PublisherPrefix is { } prefix && !answer.Info.Publisher.MatchesPrefix(prefix))
                            {
                                continue;
                            }

                            answers.Add(answer);
                            foreach (var h in answer.Holders.Where(h => h.Fingerprint == answer.Info.Publisher))
                            {
                                nodeIds.TryAdd(h.Fingerprint, h.NodeId);
                            }

                            if (!newest.TryGetValue(answer.Info.Publisher, out var known) || answer.Info.IsNewerThan(known))
                            {
                                newest[answer.Info.Publisher] = answer.Info;
                            }

                            var want = Choose([.. newest.Values], request, remembered, out _, fetcher?.Info) ?? answer.Info;
                            if (fetcher is null || !fetcher.Info.Root.AsSpan().SequenceEqual(want.Root))
                            {
                                if (fetcher is not null)
                                {
                                    await fetcher.DisposeAsync();
                                    protect?.Dispose();
                                }

                                LogFetching(logger, want.Name, want.Publisher.Short, want.Version);
                                index.PutRecord(want, role, null, Now());
                                protect = store.Protect(want);
                                var info = want;
                                fetcher = new Fetcher(want, Verify(want), store, options, time, counters,
                                    bytes => progress?.Invoke(new ResurrectProgress(bytes, (long)info.Size, fetcher?.HolderCount ?? 0)), cancellationToken);
                                foreach (var a in answers.Where(a => a.Info.Root.AsSpan().SequenceEqual(want.Root)))
                                {
                                    AddSources(fetcher, a);
                                }
                            }
                            else if (answer.Info.Root.AsSpan().SequenceEqual(fetcher.Info.Root))
                            {
                                AddSources(fetcher, answer);
                            }
                        }

                        read = null;
                    }
                }

                if (fetcher is not null && fetcher.BytesHeld != lastBytes)
                {
                    lastBytes = fetcher.BytesHeld;
                    lastProgress = clock.Elapsed;
                }
            }

            var target = fetcher.Info;
            Choose([.. newest.Values], request, remembered, out var publishers, target);
            if (publishers.Count > 1 && (request.PublisherPrefix is not null || remembered is null || !newest.ContainsKey(remembered)))
            {
                throw Ambiguity(request, [.. publishers.Select(p => newest[p])], nodeIds);
            }

            // Chunks only the publisher's source could give: the answer came from regeneration, as the user should see.
            return (new Resolution(
                target, fetcher.Regenerated > 0 ? ResurrectStage.Regeneration : ResurrectStage.Network,
                [.. fetcher.Contributors.Select(c => new UrnHolder(c.Fingerprint, c.NodeId, c.Chunks))],
                Warn(request, target, remembered)), null);
        }
        finally
        {
            if (fetcher is not null)
            {
                await fetcher.DisposeAsync();
            }

            protect?.Dispose();
            if (read is not null)
            {
                await Common.TaskGroup.WaitQuietlyAsync([read], TimeSpan.Zero);
            }
        }
    }

    private void AddSources(Fetcher fetcher, FoundAnswer answer)
    {
        foreach (var h in answer.Holders)
        {
            fetcher.AddSource(SourceFor(h, answer.Via));
        }
    }

    /// <summary>
    /// The record to resolve among the newest per publisher: the one asked for; else the publisher this node first
    /// resolved the name to; else the one already being fetched (its newer version if one arrived); else the only one.
    /// <paramref name="publishers"/> lists the publishers among which the choice was made.
    /// </summary>
    private static RecordInfo? Choose(
        List<RecordInfo> candidates, UrnRequest request, Fingerprint? remembered, out List<Fingerprint> publishers, RecordInfo? current = null)
    {
        var newest = candidates.Where(c => request.PublisherPrefix is null || c.Publisher.MatchesPrefix(request.PublisherPrefix))
            .GroupBy(c => c.Publisher)
            .Select(g => g.Aggregate((a, b) => b.IsNewerThan(a) ? b : a))
            .ToList();
        publishers = [.. newest.Select(n => n.Publisher)];
        if (newest.Count == 0)
        {
            return null;
        }

        if (request.PublisherPrefix is null && remembered is not null && newest.FirstOrDefault(n => n.Publisher == remembered) is { } r)
        {
            return r;
        }

        if (current is not null && newest.FirstOrDefault(n => n.Publisher == current.Publisher) is { } c)
        {
            return c;
        }

        return newest.Count == 1 ? newest[0] : null;
    }

    private static PhoenixException Ambiguity(UrnRequest request, List<RecordInfo> candidates, Dictionary<Fingerprint, string>? nodeIds = null)
    {
        var publishers = candidates.Select(c => c.Publisher).Distinct()
            .Select(p => new UrnPublisher(p, nodeIds?.GetValueOrDefault(p))).ToList();
        return new PhoenixException(
            PhoenixFailure.Ambiguous,
            $"{request.Name} is published by {publishers.Count} nodes: "
            + string.Join(", ", publishers.Select(p => p.NodeId is null ? p.Fingerprint.Short : $"{Text.VisibleText.Escape(p.NodeId)} ({p.Fingerprint.Short})"))
            + $"; name one: {request.Name}@<fingerprint-prefix>")
        {
            Publishers = publishers,
        };
    }

    private string? Warn(UrnRequest request, RecordInfo chosen, Fingerprint? remembered)
    {
        if (remembered is null)
        {
            index.RememberResolved(request.Name, chosen.Publisher);
            return null;
        }

        return remembered != chosen.Publisher
            ? $"{request.Name} first resolved on this node to publisher {remembered.Short}; this is {chosen.Publisher.Short}"
            : null;
    }

    private void Regenerate(StoredUrn own)
    {
        var info = own.Info;
        var held = Verify(info);
        for (var i = 0; i < held.Length; i++)
        {
            if (held[i])
            {
                continue;
            }

            var data = SourceFile.Regenerate(own.SourcePath!, i, info.ChunkLength(i), info.Hash(i), out var changed);
            if (data is null)
            {
                if (changed)
                {
                    index.MarkSourceChanged(info.Root);
                }

                throw new PhoenixException(
                    PhoenixFailure.SourceChanged,
                    $"{info.Name}: chunk {i} is held nowhere and the source {own.SourcePath} no longer matches the record; publish it again as a new version");
            }

            store.Put(info.Hash(i), data);
            counters.ChunkRegenerated();
        }
    }

    private static IEnumerable<StoredUrn> Matching(IEnumerable<StoredUrn> records, UrnRequest request) =>
        records.Where(r => request.PublisherPrefix is null || r.Info.Publisher.MatchesPrefix(request.PublisherPrefix));

    private static string Describe(NetworkSearch search, string what) => string.Create(CultureInfo.InvariantCulture,
        $"asked {search.Asked} session(s), {search.Done} answered, {what}");

    private static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.#} s");

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(EventId = 6110, Level = LogLevel.Debug, Message = "Fetching {Name} of {Publisher} v{Version}")]
    private static partial void LogFetching(ILogger logger, string name, string publisher, ulong version);
}
