using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Common;
using OpenRed.Core.Identity;
using OpenRed.Core.Mesh;
using OpenRed.Core.Modules;
using OpenRed.Core.Phoenix.Internal;
using OpenRed.Core.Storage;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Phoenix;

/// <summary>
/// The Phoenix URN layer as a module (section 8): publish, resolve ("resurrect"), serve and replicate content
/// named by URNs. It answers UrnQuery, ChunkRequest and ReplicateOffer, keeps chunks in a content-addressed store
/// under the data directory with its index in the node's database, runs the replica maintenance round, and
/// resolves the --auto-resurrect URNs in the background.
/// </summary>
internal sealed partial class PhoenixModule : INodeModule, IPhoenix
{
    public const string ChunksDirectory = "phoenix";
    public const string ResurrectedDirectory = "resurrected";

    private readonly ModuleContext _context;
    private readonly PhoenixOptions _options;
    private readonly ILogger _logger;
    private readonly PhoenixCounters _counters = new();
    private readonly TaskGroup _tasks;
    private readonly CancellationTokenSource _stop = new();
    private Parts? _parts;

    public PhoenixModule(ModuleContext context)
    {
        _context = context;
        _options = context.Options.EffectivePhoenix;
        _options.Validate();
        _logger = context.Loggers.CreateLogger<PhoenixModule>();
        _tasks = new TaskGroup(e => LogTaskFailed(_logger, e));
    }

    public string Name => "phoenix";

    public IReadOnlyList<Migration> Migrations => PhoenixSchema.Steps;

    public IReadOnlyList<AutoResurrectState> AutoResurrect => _parts?.Auto.States ?? [];

    private Parts P => _parts ?? throw new InvalidOperationException("the Phoenix module has not started");

    public void RegisterHandlers(ModuleHandlers handlers)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        handlers.Handle(Envelope.BodyOneofCase.UrnQuery, (s, e, cancellationToken) =>
            new ValueTask(P.Queries.HandleAsync(new SessionPeer(s), e, SessionPeer.ReplyOn(s, e), cancellationToken)));
        handlers.Handle(Envelope.BodyOneofCase.ChunkRequest, (s, e, cancellationToken) =>
            new ValueTask(P.Chunks.HandleAsync(e, SessionPeer.ReplyOn(s, e), cancellationToken)));
        handlers.Handle(Envelope.BodyOneofCase.ReplicateOffer, (s, e, cancellationToken) =>
            new ValueTask(P.Replication.HandleOfferAsync(new SessionPeer(s), e, SessionPeer.ReplyOn(s, e), cancellationToken)));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var c = _context;
        var network = new MeshNetwork(c.Mesh, c.Options.NodeId, () => c.Node.Port);
        var files = new ChunkFiles(Path.Combine(c.Node.DataDirectory.Root, ChunksDirectory, "chunks"));
        _parts = Parts.Create(c.Database, files, network, _options, c.Time, _counters, c.Loggers, Auto);
        c.Mesh.SessionOpened += OnSessionOpened;
        c.Mesh.SessionClosed += OnSessionClosed;
        _tasks.Track(MaintenanceLoopAsync(_stop.Token));
        if (c.Options.AutoResurrect.Count > 0)
        {
            _tasks.Track(_parts.Auto.RunAsync(_stop.Token));
        }

        return Task.CompletedTask;

        AutoResurrector Auto(Resolver resolver) => new(
            [.. c.Options.AutoResurrect.Select(u => UrnName.TryParse(u, out _)).OfType<UrnRequest>()],
            async (request, cancellationToken) =>
            {
                var resolution = await resolver.ResolveAsync(request, _options.ResolveTimeout, UrnRole.Pinned, null, cancellationToken);
                WriteOutput(resolution.Info, DefaultOutput(resolution.Info));
            },
            _options, c.Time, c.Loggers.CreateLogger<AutoResurrector>());
    }

    public async Task<PublishResult> PublishAsync(string path, string? name, string? mediaType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        var p = P;
        var clock = Stopwatch.StartNew();
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new PhoenixException(PhoenixFailure.File, $"{path}: no such file");
        }

        name = name is null ? UrnName.FromFileName(full) : name.Trim().ToLowerInvariant();
        if (!UrnName.IsValid(name))
        {
            throw new PhoenixException(PhoenixFailure.InvalidName, $"'{name}' is not a URN name: 1–{UrnName.MaxLength} characters of a-z, 0-9 and _ . : - starting with a letter or digit");
        }

        mediaType ??= MediaTypes.Guess(full);
        if (!MediaTypes.IsValid(mediaType))
        {
            throw new PhoenixException(PhoenixFailure.InvalidName, $"'{mediaType}' is not a media type (type/subtype, at most {MediaTypes.MaxLength} printable ASCII characters)");
        }

        var (hashes, size) = await SourceFile.PublishAsync(full, p.Store, null, cancellationToken);
        var identity = _context.Node.Identity;
        var now = (ulong)_context.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var version = Math.Max(now, p.Index.HighestVersion(identity.Fingerprint, name) + 1);
        var record = await Task.Run(() => UrnRecords.Create(identity, name, version, mediaType, size, hashes, now), cancellationToken);
        var info = RecordInfo.Trusted(record);
        foreach (var older in p.Index.ByName(name, identity.Fingerprint).Where(s => s.Role == UrnRole.Published))
        {
            p.Index.SetRole(older.Info.Root, UrnRole.Cached);
        }

        p.Index.PutRecord(info, UrnRole.Published, full, (long)now);
        p.Store.Evict();
        LogPublished(_logger, name, size, info.ChunkCount, version);

        using var wait = new CancellationTokenSource(_options.ReplicationWait, _context.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wait.Token, _stop.Token);
        var replicas = await p.Replication.OfferAsync(info, _options.Replicas, new HashSet<Fingerprint>(), linked.Token);
        return new PublishResult(name, identity.Fingerprint, version, mediaType, size, info.ChunkCount, info.RootHex, _options.Replicas, replicas, clock.Elapsed);
    }

    public Task<bool> UnpublishAsync(string name, CancellationToken cancellationToken)
    {
        var p = P;
        var request = UrnName.TryParse(name, out var error) ?? throw new PhoenixException(PhoenixFailure.InvalidName, error!);
        var own = p.Index.ByName(request.Name, _context.Mesh.Self).Where(s => s.Role == UrnRole.Published).ToList();
        foreach (var s in own)
        {
            p.Store.Delete(p.Index.Remove(s.Info.Root));
            LogUnpublished(_logger, s.Info.Name, s.Info.Version);
        }

        return Task.FromResult(own.Count > 0);
    }

    public async Task<ResurrectResult> ResurrectAsync(
        string urn, string? outputPath, TimeSpan? timeout, IProgress<ResurrectProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(urn);
        var p = P;
        var request = UrnName.TryParse(urn, out var error) ?? throw new PhoenixException(PhoenixFailure.InvalidName, error!);
        var clock = Stopwatch.StartNew();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        var resolution = await p.Resolver.ResolveAsync(
            request, timeout ?? _options.ResolveTimeout, UrnRole.Cached, progress is null ? null : progress.Report, linked.Token);
        var elapsed = clock.Elapsed;
        var info = resolution.Info;
        var path = outputPath is null ? DefaultOutput(info) : Path.GetFullPath(outputPath);
        WriteOutput(info, path);
        LogResurrected(_logger, info.Name, resolution.Stage.ToString(), elapsed.TotalMilliseconds, resolution.Holders.Count);
        return new ResurrectResult(
            info.Name, info.Publisher, NodeIdOf(info.Publisher), info.Version, info.MediaType, info.Size, info.ChunkCount, info.RootHex,
            resolution.Stage, elapsed, resolution.Holders, path, resolution.Warning);
    }

    public IReadOnlyList<UrnEntry> ListUrns()
    {
        var p = P;
        return [.. p.Index.All().Select(s => new UrnEntry(
            s.Info.Name, s.Info.Publisher, NodeIdOf(s.Info.Publisher), s.Info.Version, s.Info.MediaType, s.Info.Size, s.Role,
            p.Index.Held(s.Info).Count(h => h), s.Info.ChunkCount, p.Replication.LiveReplicas(s), s.Info.RootHex, s.SourceChanged,
            DateTimeOffset.FromUnixTimeMilliseconds(s.AddedMs)))];
    }

    public StatusSection? GetStatus() => _parts is null ? null : PhoenixStatus.Build(_parts, _counters, _options, AutoResurrect);

    public async ValueTask DisposeAsync()
    {
        _context.Mesh.SessionOpened -= OnSessionOpened;
        _context.Mesh.SessionClosed -= OnSessionClosed;
        await _stop.CancelAsync();
        await _tasks.WaitAsync(TimeSpan.FromSeconds(3));
        _parts?.Index.Dispose();
        _stop.Dispose();
    }

    private string DefaultOutput(RecordInfo info) =>
        Path.Combine(_context.Node.DataDirectory.Root, ResurrectedDirectory, info.Name + MediaTypes.Extension(info.MediaType));

    /// <summary>Writes the content from the store (each chunk checked again) to a temporary file, then renames it into place.</summary>
    private void WriteOutput(RecordInfo info, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".part";
        try
        {
            using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1))
            {
                for (var i = 0; i < info.ChunkCount; i++)
                {
                    var data = P.Store.Read(info.Hash(i))
                        ?? throw new PhoenixException(PhoenixFailure.NotFound, $"{info.Name}: chunk {i} went missing while it was written out; resurrect it again");
                    f.Write(data);
                }
            }

            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temp);
            throw new PhoenixException(PhoenixFailure.File, $"{path}: {e.Message}", e);
        }
    }

    private string? NodeIdOf(Fingerprint fingerprint)
    {
        if (fingerprint == _context.Mesh.Self)
        {
            return _context.Options.NodeId;
        }

        return _context.Mesh.Find(fingerprint)?.NodeId
            ?? _context.Links.All().FirstOrDefault(l => l.Fingerprint == fingerprint)?.NodeId;
    }

    private async Task MaintenanceLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.MaintenanceInterval, _context.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await P.Replication.MaintainAsync(cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    LogMaintenanceFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void OnSessionOpened(PeerSession session) => _parts?.Auto.Wake();

    private void OnSessionClosed(PeerSession session) => _parts?.Gate.Forget(session.Fingerprint);

    [LoggerMessage(EventId = 6140, Level = LogLevel.Information, Message = "Published {Name}: {Size} bytes, {Chunks} chunks, version {Version}")]
    private static partial void LogPublished(ILogger logger, string name, ulong size, int chunks, ulong version);

    [LoggerMessage(EventId = 6141, Level = LogLevel.Information, Message = "Unpublished {Name} version {Version}")]
    private static partial void LogUnpublished(ILogger logger, string name, ulong version);

    [LoggerMessage(EventId = 6142, Level = LogLevel.Information, Message = "Resurrected {Name} from {Stage} in {Ms} ms ({Holders} holders)")]
    private static partial void LogResurrected(ILogger logger, string name, string stage, double ms, int holders);

    [LoggerMessage(EventId = 6143, Level = LogLevel.Warning, Message = "Phoenix maintenance round failed")]
    private static partial void LogMaintenanceFailed(ILogger logger, Exception e);

    [LoggerMessage(EventId = 6144, Level = LogLevel.Error, Message = "A Phoenix task failed")]
    private static partial void LogTaskFailed(ILogger logger, Exception e);
}
