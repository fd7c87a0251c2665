using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using OpenRed.Cli.Commands;
using OpenRed.Cli.Control;
using OpenRed.Cli.Logging;
using OpenRed.Core;
using OpenRed.Core.Phoenix;
using OpenRed.Core.Social;
using Serilog.Events;

namespace OpenRed.Cli.Web;

/// <summary>
/// What only the pages need, beside the control API (<c>/v1/web/…</c>): the CSRF value, publishing an uploaded file,
/// a resurrection with its progress as server-sent events, downloading held content, the log's last lines, and peer
/// thumbnails. Publish and resurrect answer the same JSON as their commands' <c>--json</c>.
/// </summary>
internal sealed partial class WebEndpoints
{
    public const string UploadsDirectoryName = "uploads";

    private const int MaxLogLines = 1000;
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ContentTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ProfileTimeout = TimeSpan.FromSeconds(5);
    private static readonly string[] ThumbnailTypes = ["image/jpeg", "image/webp", "image/png"];

    // As the prompt's --json (CommandContext): snake_case, nulls written, so a page reads the command's own shape.
    private static readonly JsonSerializerOptions CommandJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly OpenRedNode _node;
    private readonly ControlApi _api;
    private readonly WebToken _token;
    private readonly WebOptions _options;
    private readonly LogRing? _log;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly SemaphoreSlim _resurrections;
    private readonly SemaphoreSlim _uploads = new(2, 2);

    public WebEndpoints(OpenRedNode node, ControlApi api, WebToken token, WebOptions options, LogRing? log, ILogger logger, CancellationToken stopping)
    {
        _node = node;
        _api = api;
        _token = token;
        _options = options;
        _log = log;
        _logger = logger;
        _stopping = stopping;
        _resurrections = new SemaphoreSlim(options.MaxResurrections, options.MaxResurrections);
    }

    public static IReadOnlyList<string> Endpoints { get; } =
    [
        "GET /v1/web/session", "POST /v1/web/publish", "POST /v1/web/resurrect", "GET /v1/web/urns/<urn>/content",
        "GET /v1/web/log", "GET /v1/web/peers/<fingerprint>/thumbnail",
    ];

    private string Uploads => Path.Combine(_node.DataDirectory.Root, UploadsDirectoryName);

    public void Map(WebApplication app)
    {
        RemoveLeftOverUploads();
        app.MapGet("/v1/web/session", SessionAsync);
        app.MapPost("/v1/web/publish", PublishAsync);
        app.MapPost("/v1/web/resurrect", ResurrectAsync);
        app.MapGet("/v1/web/urns/{urn}/content", ContentAsync);
        app.MapGet("/v1/web/log", LogAsync);
        app.MapGet("/v1/web/peers/{peer}/thumbnail", ThumbnailAsync);
    }

    private Task SessionAsync(HttpContext context) => ControlApi.WriteJsonAsync(context, StatusCodes.Status200OK,
        new WebSession(_token.Csrf, _node.NodeId, _node.Fingerprint.Hex, ControlApi.Version(), _options.MaxUploadBytes));

    private async Task PublishAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var name = NonEmpty(query["name"]);
        var type = NonEmpty(query["type"]);
        var fileName = UploadName(NonEmpty(query["filename"]) ?? name);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = _options.MaxUploadBytes;
        }

        if (context.Request.ContentLength > _options.MaxUploadBytes)
        {
            throw TooLarge();
        }

        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
        await _uploads.WaitAsync(done.Token);
        var directory = Path.Combine(Uploads, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        try
        {
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, fileName);
            await ReceiveAsync(context, path, done.Token);

            // The original file name rides along: without a name or type, publish guesses them from it as the command does.
            var r = await _node.Phoenix.PublishAsync(path, name, type, done.Token);

            // Gone before the answer, not after it: a client that has the answer never finds the upload on disk.
            RemoveQuietly(directory);
            var json = new PublishCommand.PublishJson(
                r.Name, r.Publisher.Hex, r.Version, r.MediaType, r.Size, r.ChunkCount, r.ContentId, r.ReplicasWanted,
                [.. r.Replicas.Select(h => new PublishCommand.HolderJson(h.Fingerprint.Hex, h.NodeId, h.Chunks))], (long)r.Elapsed.TotalMilliseconds);
            await WriteCommandJsonAsync(context, json);
        }
        catch (PhoenixException e)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, e.Message);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, "the node is stopping");
        }
        finally
        {
            _uploads.Release();
            RemoveQuietly(directory);
        }
    }

    private async Task ReceiveAsync(HttpContext context, string path, CancellationToken cancellationToken)
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using var file = new FileStream(path, options);
            await context.Request.Body.CopyToAsync(file, cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge();
        }
        catch (BadHttpRequestException e)
        {
            throw new ApiException(e.StatusCode, "bad request: " + e.Message);
        }
        catch (IOException e) when (e is not Microsoft.AspNetCore.Connections.ConnectionResetException && !context.RequestAborted.IsCancellationRequested)
        {
            // The disk (full, not writable); a page that left is not answered at all.
            throw new ApiException(StatusCodes.Status507InsufficientStorage, $"cannot store the upload: {e.Message}");
        }
    }

    private async Task ResurrectAsync(HttpContext context)
    {
        var request = await _api.ReadAsync<ResurrectRequest>(context);
        if (request?.Urn is not { Length: > 0 } urn)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "the body needs a \"urn\": name or name@fingerprint-prefix");
        }

        if (request.Timeout is { } s && (double.IsNaN(s) || s < 0.1 || s > 3600))
        {
            throw new ApiException(StatusCodes.Status400BadRequest, $"\"timeout\": {s.ToString(CultureInfo.InvariantCulture)} is not in 0.1–3600 seconds");
        }

        if (!_resurrections.Wait(0))
        {
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, $"already {_options.MaxResurrections} resurrections running here; wait for one");
        }

        try
        {
            using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
            await new ResurrectStream(context, _node, ProgressEvery).RunAsync(
                urn, request.Timeout is { } t ? TimeSpan.FromSeconds(t) : null, Json, done.Token);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || _stopping.IsCancellationRequested)
        {
            // The page left, or the node is stopping: nobody reads the end.
        }
        finally
        {
            _resurrections.Release();
        }

        static string Json(ResurrectResult r) => JsonSerializer.Serialize(
            new ResurrectCommand.ResurrectJson(
                r.Name, r.Publisher.Hex, r.PublisherNodeId, r.Version, r.MediaType, r.Size, r.ChunkCount, r.ContentId,
                r.Stage.ToString().ToLowerInvariant(), Math.Round(r.Elapsed.TotalMilliseconds, 1),
                [.. r.Holders.Select(h => new PublishCommand.HolderJson(h.Fingerprint.Hex, h.NodeId, h.Chunks))], r.OutputPath, r.Warning),
            CommandJson);
    }

    private async Task ContentAsync(HttpContext context)
    {
        var urn = (context.Request.RouteValues["urn"] as string ?? "").ToLowerInvariant();
        var at = urn.IndexOf('@', StringComparison.Ordinal);
        var (name, prefix) = at < 0 ? (urn, "") : (urn[..at], urn[(at + 1)..]);
        var held = _node.Phoenix.ListUrns()
            .Where(u => u.Name == name && u.Publisher.Hex.StartsWith(prefix, StringComparison.Ordinal) && u.ChunksHeld == u.ChunkCount)
            .OrderByDescending(u => u.Version)
            .ToList();
        if (held.Count == 0)
        {
            throw new ApiException(StatusCodes.Status404NotFound, $"this node does not hold all of {urn}; resurrect it first");
        }

        if (held.Select(u => u.Publisher).Distinct().Count() > 1)
        {
            throw new ApiException(StatusCodes.Status409Conflict,
                $"{urn} is held from {held.Select(u => u.Publisher).Distinct().Count()} publishers; name one: {name}@<fingerprint-prefix>");
        }

        var entry = held[0];
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
        var directory = Path.Combine(Uploads, "out-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
        try
        {
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, "content");

            // Held whole: the cache stage answers, and verifies every chunk on the way out.
            await _node.Phoenix.ResurrectAsync($"{entry.Name}@{entry.Publisher.Hex}", path, ContentTimeout, null, done.Token);
            await using var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous);

            // Removed while open, before the first byte goes out: a client that has the whole response never finds
            // the copy still on disk (the finally below ran only after the last byte, a race with that client).
            RemoveQuietly(directory);
            context.Response.ContentType = MediaTypeHeaderValue.TryParse(entry.MediaType, out _) && !entry.MediaType.Contains(',', StringComparison.Ordinal)
                ? entry.MediaType
                : "application/octet-stream";
            context.Response.ContentLength = content.Length;
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"{DownloadName(entry)}\"";
            context.Response.Headers.CacheControl = "no-store";
            await content.CopyToAsync(context.Response.Body, done.Token);
        }
        catch (PhoenixException e)
        {
            throw new ApiException(e.Failure == PhoenixFailure.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status500InternalServerError, e.Message);
        }
        finally
        {
            RemoveQuietly(directory);
        }
    }

    private Task LogAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var levelText = NonEmpty(query["level"]) ?? "information";
        if (!Enum.TryParse<LogEventLevel>(levelText, ignoreCase: true, out var level) || !Enum.IsDefined(level) || int.TryParse(levelText, out _))
        {
            throw new ApiException(StatusCodes.Status400BadRequest, $"level: '{levelText}' is not one of verbose, debug, information, warning, error, fatal");
        }

        var lines = 200;
        if (NonEmpty(query["lines"]) is { } linesText
            && (!int.TryParse(linesText, NumberStyles.None, CultureInfo.InvariantCulture, out lines) || lines < 1 || lines > MaxLogLines))
        {
            throw new ApiException(StatusCodes.Status400BadRequest, $"lines: '{linesText}' is not in 1–{MaxLogLines}");
        }

        var found = _log?.Last(level, lines) ?? [];
        return ControlApi.WriteJsonAsync(context, StatusCodes.Status200OK,
            found.Select(l => new LogLineJson(l.Time, l.Level.ToString().ToLowerInvariant(), l.Message)).ToList());
    }

    private async Task ThumbnailAsync(HttpContext context)
    {
        var id = (context.Request.RouteValues["peer"] as string ?? "").ToLowerInvariant();
        Thumbnail? thumbnail;
        if (id.Length >= 8 && _node.Fingerprint.Hex.StartsWith(id, StringComparison.Ordinal))
        {
            thumbnail = _node.Social.GetOwnProfile().Thumbnail;
        }
        else
        {
            var match = _node.Social.FindPeers(id);
            if (match.Matches.Count > 1)
            {
                throw new ApiException(StatusCodes.Status409Conflict, $"{id} names {match.Matches.Count} peers; give more of the fingerprint");
            }

            using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
            done.CancelAfter(ProfileTimeout);
            var profile = match.Matches.Count == 1 ? await ProfileOrNullAsync(match.Single.Fingerprint, done.Token) : null;
            thumbnail = profile?.Profile.Thumbnail;
        }

        if (thumbnail is null || !ThumbnailTypes.Contains(thumbnail.MediaType))
        {
            throw new ApiException(StatusCodes.Status404NotFound, $"no thumbnail for {id}");
        }

        context.Response.ContentType = thumbnail.MediaType;
        context.Response.ContentLength = thumbnail.Bytes.Length;

        // A page shows many at once and polls: a minute is fresh enough for a face.
        context.Response.Headers.CacheControl = "private, max-age=60";
        await context.Response.Body.WriteAsync(thumbnail.Bytes, context.RequestAborted);
    }

    private async Task<PeerProfile?> ProfileOrNullAsync(Core.Identity.Fingerprint peer, CancellationToken cancellationToken)
    {
        try
        {
            return await _node.Social.GetProfileAsync(peer, cancellationToken);
        }
        catch (Exception e) when (e is SocialException or OperationCanceledException && !_stopping.IsCancellationRequested)
        {
            LogNoProfile(_logger, peer.Short, e.Message);
            return null;
        }
    }

    private static async Task WriteCommandJsonAsync<T>(HttpContext context, T value)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(value, CommandJson) + "\n", context.RequestAborted);
    }

    private ApiException TooLarge() =>
        new(StatusCodes.Status413PayloadTooLarge, $"the file is larger than {_options.MaxUploadBytes} bytes, the most the dashboard takes");

    // URN names are a-z 0-9 _ . : - (nothing to escape in the header); the type's extension helps the saved file open.
    private static string DownloadName(UrnEntry entry)
    {
        var extension = MediaTypes.Extension(entry.MediaType);
        return entry.Name.EndsWith(extension, StringComparison.Ordinal) ? entry.Name : entry.Name + extension;
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>The browser's file name, reduced to one safe path component; publish guesses the URN name and type from it.</summary>
    private static string UploadName(string? given)
    {
        var name = Path.GetFileName((given ?? "").Replace('\\', '/'));
        name = new string([.. name.Where(c => !char.IsControl(c))]).Trim();
        if (name.Length is 0 or > 200 || name is "." or "..")
        {
            return "upload";
        }

        return name;
    }

    private void RemoveLeftOverUploads()
    {
        // A node killed mid-upload leaves its part behind; nothing else lives there.
        RemoveQuietly(Uploads);
    }

    private void RemoveQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogNotRemoved(_logger, directory, e.Message);
        }
    }

    [LoggerMessage(EventId = 923, Level = LogLevel.Warning, Message = "Dashboard: cannot remove {Path}: {Reason}")]
    private static partial void LogNotRemoved(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 924, Level = LogLevel.Debug, Message = "Dashboard: no profile of {Peer} for its thumbnail: {Reason}")]
    private static partial void LogNoProfile(ILogger logger, string peer, string reason);

    private sealed record ResurrectRequest(string? Urn, double? Timeout);

    private sealed record LogLineJson(DateTimeOffset Time, string Level, string Message);
}
