using System.Security.Cryptography;
using System.Threading.Channels;
using Google.Protobuf;
using OpenRed.Core.Identity;
using OpenRed.Core.Security;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>
/// One query this node asks (section 8, resolution step 2): UrnQuery to every session, each valid UrnFound passed
/// on as it arrives, ended when every session sent UrnQueryDone or <c>HopTime × (hops + 2)</c> passed.
/// </summary>
internal sealed class NetworkSearch : IAsyncDisposable
{
    private readonly Channel<FoundAnswer> _answers = Channel.CreateBounded<FoundAnswer>(
        new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _stop;
    private int _done;
    private int _found;

    private NetworkSearch(TimeSpan deadline, TimeProvider time, CancellationToken cancellationToken)
    {
        _timeout = new CancellationTokenSource(deadline, time);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timeout.Token);
    }

    public ChannelReader<FoundAnswer> Answers => _answers.Reader;

    /// <summary>Sessions asked.</summary>
    public int Asked { get; private set; }

    /// <summary>Sessions that ended their answer with UrnQueryDone.</summary>
    public int Done => Volatile.Read(ref _done);

    /// <summary>Valid UrnFound received.</summary>
    public int Found => Volatile.Read(ref _found);

    public Task Completion { get; private set; } = Task.CompletedTask;

    public static NetworkSearch Start(
        IPhoenixNetwork network, RecordIntake intake, PhoenixOptions options, TimeProvider time, PhoenixCounters counters,
        string name, Fingerprint? publisher, uint hops, CancellationToken cancellationToken)
    {
        var search = new NetworkSearch(options.HopTime * (hops + 2), time, cancellationToken);
        var query = new UrnQuery
        {
            QueryId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(16)),
            Name = name,
            Publisher = publisher is null ? ByteString.Empty : ByteString.CopyFrom(publisher.Bytes),
            Hops = hops,
        };
        var sessions = network.Sessions;
        search.Asked = sessions.Count;
        search.Completion = search.RunAsync(sessions, query, network.Self, intake, options, counters, publisher);
        return search;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Common.TaskGroup.WaitQuietlyAsync([Completion], TimeSpan.FromSeconds(5));
        _stop.Dispose();
        _timeout.Dispose();
    }

    private async Task RunAsync(
        IReadOnlyList<IPhoenixPeer> sessions, UrnQuery query, Fingerprint self, RecordIntake intake, PhoenixOptions options,
        PhoenixCounters counters, Fingerprint? publisher)
    {
        try
        {
            await Task.WhenAll(sessions.Select(s => AskAsync(s, query, self, intake, options, counters, publisher)));
        }
        finally
        {
            _answers.Writer.TryComplete();
        }
    }

    private async Task AskAsync(
        IPhoenixPeer peer, UrnQuery query, Fingerprint self, RecordIntake intake, PhoenixOptions options, PhoenixCounters counters,
        Fingerprint? publisher)
    {
        var token = _stop.Token;
        var count = 0;
        try
        {
            await foreach (var answer in peer.RequestManyAsync(new Envelope { UrnQuery = query.Clone() }, QueryResponder.IsQueryEnd, token))
            {
                if (answer.BodyCase == Envelope.BodyOneofCase.UrnQueryDone)
                {
                    Interlocked.Increment(ref _done);
                    continue;
                }

                if (answer.BodyCase != Envelope.BodyOneofCase.UrnFound)
                {
                    continue;
                }

                if (++count > options.MaxFoundPerQuery)
                {
                    counters.Refuse(Refusal.TooManyFound);
                    continue;
                }

                var info = intake.Accept(answer.UrnFound.Record);
                if (info is null)
                {
                    continue;
                }

                if (info.Name != query.Name || (publisher is not null && info.Publisher != publisher))
                {
                    counters.Refuse(Refusal.UnrelatedFound);
                    continue;
                }

                Interlocked.Increment(ref _found);
                var holders = HolderCodec.Read(answer.UrnFound, info.ChunkCount, peer, self);
                await _answers.Writer.WriteAsync(new FoundAnswer(info, holders, peer), token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SessionClosedException or TimeoutException or InvalidOperationException
            or IOException or ChannelClosedException)
        {
            // Late, closed or confused: this session adds nothing more to the search.
        }
    }
}
