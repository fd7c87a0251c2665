using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core.Identity;
using OpenRed.Core.Modules;
using OpenRed.Core.Phoenix;
using OpenRed.Core.Phoenix.Internal;
using OpenRed.Core.Storage;
using OpenRed.Core.Tests.Storage;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Tests.Phoenix;

/// <summary>Phoenix nodes in one process, linked by in-memory "sessions" that call each other's handlers.</summary>
internal sealed class MemoryMesh : IDisposable
{
    private readonly List<MemoryNode> _nodes = [];
    private int _nextPort = 20000;

    public TempDir Dir { get; } = new();

    public MemoryNode Add(string nodeId, PhoenixOptions? options = null, NodeIdentity? identity = null, TimeProvider? time = null)
    {
        var node = new MemoryNode(this, nodeId, identity, options ?? PhoenixOptions.Default with { HopTime = TimeSpan.FromMilliseconds(300) },
            Dir.Sub(nodeId), _nextPort++, time ?? TimeProvider.System);
        _nodes.Add(node);
        return node;
    }

    public MemoryNode? ByFingerprint(Fingerprint f) => _nodes.FirstOrDefault(n => n.Self == f);

    public static void Link(MemoryNode a, MemoryNode b)
    {
        a.Links.Add(b);
        b.Links.Add(a);
    }

    public void Dispose()
    {
        foreach (var n in _nodes)
        {
            n.Dispose();
        }

        Dir.Dispose();
    }
}

internal sealed class MemoryNode : IPhoenixNetwork, IDisposable
{
    private readonly MemoryMesh _mesh;
    private readonly string _dir;
    private readonly TimeProvider _time;
    private NodeDatabase _db;

    public MemoryNode(MemoryMesh mesh, string nodeId, NodeIdentity? identity, PhoenixOptions options, string dir, int port, TimeProvider time)
    {
        _mesh = mesh;
        Identity = identity;
        Self = identity?.Fingerprint ?? Fingerprint.FromBytes(RandomNumberGenerator.GetBytes(32));
        SelfNodeId = nodeId;
        ListenPort = port;
        Options = options;
        _dir = dir;
        _time = time;
        Directory.CreateDirectory(dir);
        (_db, Parts) = Open();
    }

    public NodeIdentity? Identity { get; }

    public PhoenixOptions Options { get; }

    public Parts Parts { get; private set; }

    public PhoenixCounters Counters { get; private set; } = new();

    public List<MemoryNode> Links { get; } = [];

    /// <summary>When set, answers this node gives to chunk requests pass through it (a lying or slow holder).</summary>
    public Func<Envelope, Envelope>? TamperChunks { get; set; }

    /// <summary>How many times this node sends each UrnFound it answers (above 1: a node flooding the asker).</summary>
    public int RepeatFound { get; set; } = 1;

    public bool Down { get; set; }

    public Fingerprint Self { get; }

    public string SelfNodeId { get; }

    public int ListenPort { get; }

    public IPEndPoint DialAddress => new(IPAddress.Loopback, ListenPort);

    public IReadOnlyList<IPhoenixPeer> Sessions => [.. Links.Where(l => !l.Down && !Down).Select(l => new MemoryPeer(this, l))];

    public IPhoenixPeer? Find(Fingerprint fingerprint) => Links.FirstOrDefault(l => l.Self == fingerprint && !l.Down) is { } n ? new MemoryPeer(this, n) : null;

    public Task<IPhoenixPeer> ConnectAsync(IPEndPoint endpoint, Fingerprint expected, CancellationToken cancellationToken)
    {
        var target = _mesh.ByFingerprint(expected);
        if (target is null || target.Down || target.ListenPort != endpoint.Port)
        {
            throw new OpenRed.Core.Mesh.ConnectException($"{endpoint}: unreachable");
        }

        MemoryMesh.Link(this, target);
        return Task.FromResult<IPhoenixPeer>(new MemoryPeer(this, target));
    }

    public string DataDir => _dir;

    /// <summary>Stores content as this node's publication (chunks, signed record) and returns the record.</summary>
    public RecordInfo Publish(byte[] content, string name, string? sourcePath = null, ulong version = 1)
    {
        var hashes = new List<byte[]>();
        foreach (var chunk in content.Chunk(UrnRecords.ChunkSize))
        {
            var h = SHA256.HashData(chunk);
            Parts.Store.Put(h, chunk);
            hashes.Add(h);
        }

        var record = UrnRecords.Create(Identity!, name, version, "application/octet-stream", (ulong)content.Length, hashes, version);
        var info = RecordInfo.Trusted(record);
        Parts.Index.PutRecord(info, UrnRole.Published, sourcePath, 1);
        return info;
    }

    /// <summary>Stores someone else's content and record as a replica.</summary>
    public void Hold(RecordInfo info, byte[] content)
    {
        foreach (var chunk in content.Chunk(UrnRecords.ChunkSize))
        {
            Parts.Store.Put(SHA256.HashData(chunk), chunk);
        }

        Parts.Index.PutRecord(info, UrnRole.Replica, null, 1);
    }

    /// <summary>Closes the database and opens it again, as a restart would.</summary>
    public void Restart()
    {
        Parts.Index.Dispose();
        _db.Dispose();
        Counters = new PhoenixCounters();
        (_db, Parts) = Open();
    }

    public Task HandleAsync(MemoryNode from, Envelope request, PhoenixReply reply, CancellationToken cancellationToken)
    {
        var peer = new MemoryPeer(this, from);
        return request.BodyCase switch
        {
            Envelope.BodyOneofCase.UrnQuery => Parts.Queries.HandleAsync(peer, request, RepeatFound == 1 ? reply : Repeating(reply), cancellationToken),
            Envelope.BodyOneofCase.ChunkRequest => Parts.Chunks.HandleAsync(request, TamperChunks is { } t ? (e, f, c) => reply(t(e), f, c) : reply, cancellationToken),
            Envelope.BodyOneofCase.ReplicateOffer => Parts.Replication.HandleOfferAsync(peer, request, reply, cancellationToken),
            _ => reply(new Envelope { Error = new Error { Code = ErrorCode.Unsupported } }, true, cancellationToken).AsTask(),
        };
    }

    private PhoenixReply Repeating(PhoenixReply reply) => async (e, final, ct) =>
    {
        for (var i = 1; i < RepeatFound && e.BodyCase == Envelope.BodyOneofCase.UrnFound; i++)
        {
            await reply(e, false, ct);
        }

        await reply(e, final, ct);
    };

    public void Dispose()
    {
        Parts.Index.Dispose();
        _db.Dispose();
    }

    private (NodeDatabase, Parts) Open()
    {
        var db = NodeDatabase.Open(Path.Combine(_dir, "openred.db"), NullLogger.Instance);
        ModuleSchema.Apply(db, "phoenix", PhoenixSchema.Steps, NullLogger.Instance);
        var parts = Parts.Create(db, new ChunkFiles(Path.Combine(_dir, "chunks")), this, Options, _time, Counters, NullLoggerFactory.Instance,
            _ => new AutoResurrector([], (_, _) => Task.CompletedTask, Options, _time, NullLogger.Instance));
        return (db, parts);
    }
}

/// <summary>A "session" from one memory node to another: requests call the other node's handlers.</summary>
internal sealed class MemoryPeer(MemoryNode from, MemoryNode to) : IPhoenixPeer
{
    public Fingerprint Fingerprint => to.Self;

    public string NodeId => to.SelfNodeId;

    public IPEndPoint? DialAddress => to.DialAddress;

    public bool IsOpen => !to.Down && !from.Down;

    public async Task<Envelope> RequestAsync(Envelope request, CancellationToken cancellationToken)
    {
        await foreach (var e in RequestManyAsync(request, _ => true, cancellationToken))
        {
            return e;
        }

        throw new InvalidOperationException("no answer");
    }

    public async IAsyncEnumerable<Envelope> RequestManyAsync(
        Envelope request, Func<Envelope, bool> isFinal, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!IsOpen)
        {
            throw new OpenRed.Core.Security.SessionClosedException();
        }

        var answers = Channel.CreateUnbounded<Envelope>();
        var handler = Task.Run(async () =>
        {
            try
            {
                await to.HandleAsync(from, request.Clone(), (e, final, _) =>
                {
                    // Copied as a session copies it into its frame when it is sent: a chunk server may reuse the
                    // buffer its answer wrapped once the reply returns.
                    answers.Writer.TryWrite(Envelope.Parser.ParseFrom(e.ToByteArray()));
                    if (final)
                    {
                        answers.Writer.TryComplete();
                    }

                    return ValueTask.CompletedTask;
                }, cancellationToken);
            }
            finally
            {
                answers.Writer.TryComplete();
            }
        }, cancellationToken);
        await foreach (var e in answers.Reader.ReadAllAsync(cancellationToken))
        {
            yield return e;
            if (isFinal(e))
            {
                break;
            }
        }

        await Task.WhenAny(handler);
    }
}
