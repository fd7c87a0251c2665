using Microsoft.Extensions.Logging;
using OpenRed.Core.Storage;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>The module's parts, built at start over one network (the mesh, or an in-memory one in tests).</summary>
internal sealed class Parts
{
    public required PhoenixIndex Index { get; init; }

    public required ChunkStore Store { get; init; }

    public required QueryGate Gate { get; init; }

    public required QueryResponder Queries { get; init; }

    public required ChunkServer Chunks { get; init; }

    public required Resolver Resolver { get; init; }

    public required Replicator Replication { get; init; }

    public required AutoResurrector Auto { get; init; }

    public static Parts Create(
        NodeDatabase database, ChunkFiles files, IPhoenixNetwork network, PhoenixOptions options, TimeProvider time,
        PhoenixCounters counters, ILoggerFactory loggers, Func<Resolver, AutoResurrector> auto)
    {
        var index = new PhoenixIndex(database);
        var store = new ChunkStore(files, index, options.CacheSizeBytes, time);
        var intake = new RecordIntake(index, counters);
        var gate = new QueryGate(options, time);
        var resolver = new Resolver(index, store, network, intake, options, time, counters, loggers.CreateLogger<Resolver>());
        return new Parts
        {
            Index = index,
            Store = store,
            Gate = gate,
            Queries = new QueryResponder(
                index, network, intake, new FoundBuilder(index, network, options), gate, new SeenQueries(options, time), options, time, counters,
                loggers.CreateLogger<QueryResponder>()),
            Chunks = new ChunkServer(index, store, counters),
            Resolver = resolver,
            Replication = new Replicator(index, network, intake, resolver, options, time, counters, loggers.CreateLogger<Replicator>()),
            Auto = auto(resolver),
        };
    }
}
