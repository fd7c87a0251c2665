using Microsoft.Extensions.Logging;
using OpenRed.Core.Identity;
using OpenRed.Core.Security;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>
/// Answers a peer's UrnQuery (section 8): from the store first, then, for a query id not seen in the last minute
/// and hops left, forwards it to the other sessions and relays each valid answer once per publisher and version;
/// at most 8 UrnFound in all, then UrnQueryDone when every forward ended or the hop deadline passed.
/// </summary>
internal sealed partial class QueryResponder(
    PhoenixIndex index, IPhoenixNetwork network, RecordIntake intake, FoundBuilder found, QueryGate gate, SeenQueries seen,
    PhoenixOptions options, TimeProvider time, PhoenixCounters counters, ILogger logger)
{
    public static bool IsQueryEnd(Envelope e) => e.BodyCase is Envelope.BodyOneofCase.UrnQueryDone or Envelope.BodyOneofCase.Error;

    public async Task HandleAsync(IPhoenixPeer from, Envelope request, PhoenixReply reply, CancellationToken cancellationToken)
    {
        var refusal = gate.TryEnter(from.Fingerprint);
        if (refusal is not null)
        {
            counters.Refuse(refusal);
            await reply(Errors.Of(ErrorCode.RateLimited, "query limit"), true, cancellationToken);
            return;
        }

        try
        {
            await AnswerAsync(from, request.UrnQuery, reply, cancellationToken);
        }
        finally
        {
            gate.Exit(from.Fingerprint);
        }
    }

    private async Task AnswerAsync(IPhoenixPeer from, UrnQuery q, PhoenixReply reply, CancellationToken cancellationToken)
    {
        if (q.QueryId.Length != 16 || !UrnName.IsValid(q.Name) || q.Publisher.Length is not (0 or Fingerprint.Length))
        {
            counters.Refuse(Refusal.BadQuery);
            await reply(Errors.Of(ErrorCode.BadRequest, "malformed query"), true, cancellationToken);
            return;
        }

        if (q.Hops > options.MaxHops)
        {
            counters.Refuse(Refusal.TooManyHops);
            await reply(Errors.Of(ErrorCode.BadRequest, "too many hops"), true, cancellationToken);
            return;
        }

        counters.QueryAnswered();
        var publisher = q.Publisher.IsEmpty ? null : Fingerprint.FromBytes(q.Publisher.Span);
        var state = new AnswerState(reply, options.MaxFoundPerQuery);
        foreach (var stored in FoundBuilder.NewestPerPublisher(index.ByName(q.Name, publisher)))
        {
            await state.TrySendAsync(Key(stored.Info), found.Build(q.QueryId, stored), cancellationToken);
        }

        if (seen.TryFirstSight(q.QueryId.Span) && q.Hops > 0)
        {
            using var timeout = new CancellationTokenSource(options.HopTime * (q.Hops + 1), time);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var forward = new UrnQuery { QueryId = q.QueryId, Name = q.Name, Publisher = q.Publisher, Hops = q.Hops - 1 };
            var targets = network.Sessions.Where(p => p.Fingerprint != from.Fingerprint).ToList();
            LogForwarding(logger, q.Name, targets.Count, q.Hops - 1);
            await Task.WhenAll(targets.Select(p => ForwardAsync(p, forward, publisher, state, deadline.Token)));
        }

        await reply(new Envelope { UrnQueryDone = new UrnQueryDone { QueryId = q.QueryId, Found = (uint)state.Sent } }, true, cancellationToken);
    }

    private async Task ForwardAsync(IPhoenixPeer peer, UrnQuery forward, Fingerprint? publisher, AnswerState state, CancellationToken cancellationToken)
    {
        var fromPeer = 0;
        try
        {
            await foreach (var answer in peer.RequestManyAsync(new Envelope { UrnQuery = forward.Clone() }, IsQueryEnd, cancellationToken))
            {
                if (answer.BodyCase != Envelope.BodyOneofCase.UrnFound)
                {
                    continue;
                }

                if (++fromPeer > options.MaxFoundPerQuery)
                {
                    counters.Refuse(Refusal.TooManyFound);
                    continue;
                }

                var f = answer.UrnFound;
                var info = intake.Accept(f.Record);
                if (info is null)
                {
                    continue;
                }

                if (info.Name != forward.Name || (publisher is not null && info.Publisher != publisher))
                {
                    counters.Refuse(Refusal.UnrelatedFound);
                    continue;
                }

                HolderCodec.FillAddress(f, peer);
                f.QueryId = forward.QueryId;
                await state.TrySendAsync(Key(info), f, cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SessionClosedException or TimeoutException or InvalidOperationException or IOException)
        {
            // A forward that ends badly or late simply contributes nothing more.
        }
    }

    private static string Key(RecordInfo info) => info.Publisher.Hex + "/" + info.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What one query has sent: at most the limit, once per publisher and version, one at a time.</summary>
    private sealed class AnswerState(PhoenixReply reply, int limit)
    {
        private readonly SemaphoreSlim _one = new(1, 1);
        private readonly HashSet<string> _keys = new(StringComparer.Ordinal);

        public int Sent { get; private set; }

        public async Task TrySendAsync(string key, UrnFound found, CancellationToken cancellationToken)
        {
            await _one.WaitAsync(cancellationToken);
            try
            {
                if (Sent >= limit || !_keys.Add(key))
                {
                    return;
                }

                await reply(new Envelope { UrnFound = found }, false, cancellationToken);
                Sent++;
            }
            finally
            {
                _one.Release();
            }
        }
    }

    [LoggerMessage(EventId = 6100, Level = LogLevel.Debug, Message = "Forwarding query for {Name} to {Sessions} sessions with {Hops} hops left")]
    private static partial void LogForwarding(ILogger logger, string name, int sessions, uint hops);
}

/// <summary>Error answers.</summary>
internal static class Errors
{
    public static Envelope Of(ErrorCode code, string message) => new() { Error = new Error { Code = code, Message = message } };
}
