using System.CommandLine;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using OpenRed.Cli.Commands;
using OpenRed.Core;

namespace OpenRed.Cli.Control;

/// <summary>
/// The endpoints of the control socket. Listings (<c>GET /v1/status</c>, <c>/v1/peers</c>, …) are the prompt's
/// <c>--json</c> output; <c>POST /v1/command</c> runs any prompt line; <c>GET /v1/events</c> streams node events.
/// Every error is a JSON object <c>{"error": "…"}</c>.
/// </summary>
internal sealed partial class ControlApi
{
    private const int MaxCompletionWords = 64;

    private readonly OpenRedNode _node;
    private readonly ControlCommands _commands;
    private readonly ControlOptions _options;
    private readonly Action<string> _requestShutdown;
    private readonly CancellationToken _stopping;
    private readonly ILogger _logger;
    private readonly string _listener;
    private int _eventReaders;

    /// <param name="listener">Names this listener in the shutdown reason of a <c>quit</c> ("control socket", "dashboard").</param>
    public ControlApi(
        OpenRedNode node,
        ControlCommands commands,
        ControlOptions options,
        Action<string> requestShutdown,
        ILogger logger,
        CancellationToken stopping,
        string listener = "control socket")
    {
        _listener = listener;
        _node = node;
        _commands = commands;
        _options = options;
        _requestShutdown = requestShutdown;
        _logger = logger;
        _stopping = stopping;
    }

    public static IReadOnlyList<string> Endpoints { get; } =
        ["GET /v1", "GET /v1/<listing>", "POST /v1/command", "POST /v1/complete", "GET /v1/events"];

    /// <summary>The endpoints, and the JSON errors of everything mapped after the middleware added before this.</summary>
    public void Map(WebApplication app)
    {
        app.Use(JsonErrorsAsync);
        app.MapGet("/v1", IndexAsync);
        app.MapGet("/v1/events", EventsAsync);
        app.MapPost("/v1/command", CommandAsync);
        app.MapPost("/v1/complete", CompleteAsync);
        app.MapGet("/v1/{listing}", ListingAsync);
        app.MapFallback(context => throw new ApiException(StatusCodes.Status404NotFound, $"no such endpoint: {context.Request.Method} {context.Request.Path}"));
    }

    /// <summary>
    /// A listing is a command with <c>--json</c> and no required argument (status, map, peers, links, and those of
    /// later modules): <c>GET /v1/&lt;name&gt;</c> returns its <c>--json</c> line.
    /// </summary>
    public IReadOnlyList<string> Listings() =>
        [.. _commands.Table.All.Where(c => IsListing(_commands.Table.SyntaxOf(c))).Select(c => c.Name)];

    private static bool IsListing(Command syntax) =>
        syntax.Options.Any(o => o.Name == CommonOptions.JsonName) && syntax.Arguments.All(a => a.Arity.MinimumNumberOfValues == 0);

    private Task IndexAsync(HttpContext context) => WriteJsonAsync(context, StatusCodes.Status200OK, new IndexResponse(
        _node.NodeId, _node.Fingerprint.Hex, Version(), Endpoints, Listings()));

    private async Task ListingAsync(HttpContext context)
    {
        var name = context.Request.RouteValues["listing"] as string ?? "";
        if (!_commands.Table.TryFind(name, out var command) || command.Name != name || !IsListing(_commands.Table.SyntaxOf(command)))
        {
            throw new ApiException(StatusCodes.Status404NotFound, $"no such endpoint: GET /v1/{name}; listings: {string.Join(", ", Listings())}");
        }

        var response = await RunAsync(new CommandRequest(command.Name + " " + CommonOptions.JsonName), context);
        if (response.ExitCode != 0)
        {
            throw new ApiException(StatusCodes.Status500InternalServerError, OneLine(response.Stderr));
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(response.Stdout, context.RequestAborted);
    }

    private async Task CommandAsync(HttpContext context)
    {
        var request = await ReadAsync<CommandRequest>(context);
        if (request?.Line is not { } line)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "the body needs a \"line\": the prompt command to run");
        }

        if (line.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "\"line\" is one prompt line: no line breaks");
        }

        var response = await RunAsync(request, context);
        if (response.Quit)
        {
            // The answer first: the client learns the node stops, then it does.
            context.Response.OnCompleted(() =>
            {
                _requestShutdown($"quit ({_listener})");
                return Task.CompletedTask;
            });
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, response);
    }

    private async Task CompleteAsync(HttpContext context)
    {
        var request = await ReadAsync<CompleteRequest>(context);
        var words = request?.Words ?? [];
        if (words.Count > MaxCompletionWords)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, $"at most {MaxCompletionWords} words before the one completed");
        }

        var candidates = _commands.Complete(words, request?.Prefix ?? "");
        await WriteJsonAsync(context, StatusCodes.Status200OK, new CompleteResponse(candidates));
    }

    private async Task EventsAsync(HttpContext context)
    {
        if (Interlocked.Increment(ref _eventReaders) > _options.MaxEventReaders)
        {
            Interlocked.Decrement(ref _eventReaders);
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, $"already {_options.MaxEventReaders} event streams open; close one first");
        }

        try
        {
            await StreamEventsAsync(context);
        }
        finally
        {
            Interlocked.Decrement(ref _eventReaders);
        }
    }

    private async Task StreamEventsAsync(HttpContext context)
    {
        using var events = _node.SubscribeEvents(_options.EventBuffer);
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
        try
        {
            await context.Response.WriteAsync(EventStream.Subscribed, done.Token);
            await context.Response.Body.FlushAsync(done.Token);
            var end = await EventStream.PumpAsync(
                events,
                _node.Sector,
                async (frame, cancellationToken) =>
                {
                    await context.Response.WriteAsync(frame, cancellationToken);
                    await context.Response.Body.FlushAsync(cancellationToken);
                },
                _options.EventWriteTimeout,
                _node.Time,
                done.Token);
            if (end == EventStreamEnd.TooSlow)
            {
                LogSlowReader(_logger, events.Dropped);
                context.Abort();
            }
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
            // The reader left, or the node is stopping.
        }
    }

    private async Task<CommandResponse> RunAsync(CommandRequest request, HttpContext context)
    {
        try
        {
            return await _commands.RunAsync(request, context.RequestAborted, _stopping);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, "the node is stopping");
        }
    }

    internal async Task<T?> ReadAsync<T>(HttpContext context)
    {
        if (context.Request.ContentLength > _options.MaxRequestBytes)
        {
            throw TooLarge();
        }

        try
        {
            return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, ControlJson.Options, context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge();
        }
        catch (BadHttpRequestException e)
        {
            throw new ApiException(e.StatusCode, "bad request: " + e.Message);
        }
        catch (JsonException)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "the body is not the JSON object this endpoint takes");
        }
    }

    private ApiException TooLarge() =>
        new(StatusCodes.Status413PayloadTooLarge, $"the request body is larger than {_options.MaxRequestBytes} bytes");

    private static async Task JsonErrorsAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (ApiException e) when (!context.Response.HasStarted)
        {
            await WriteJsonAsync(context, e.Status, new ErrorResponse(e.Message));
            return;
        }

        // What the framework answers by itself (405 on a known path, …) gets a JSON body too.
        if (context.Response.StatusCode >= 400 && !context.Response.HasStarted && context.Response.ContentType is null)
        {
            var status = context.Response.StatusCode;
            await WriteJsonAsync(context, status, new ErrorResponse(
                $"{ReasonPhrases.GetReasonPhrase(status).ToLowerInvariant()}: {context.Request.Method} {context.Request.Path}"));
        }
    }

    internal static Task WriteJsonAsync<T>(HttpContext context, int status, T value)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(value, ControlJson.Options) + "\n", context.RequestAborted);
    }

    private static string OneLine(string stderr)
    {
        var line = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "the command failed";
        return line.StartsWith("openred: ", StringComparison.Ordinal) ? line["openred: ".Length..] : line;
    }

    internal static string Version() =>
        typeof(ControlApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    [LoggerMessage(EventId = 911, Level = LogLevel.Information, Message = "Control socket: dropped an event reader that fell behind ({Dropped} events lost)")]
    private static partial void LogSlowReader(ILogger logger, long dropped);
}

/// <summary>Thrown by an endpoint: answered as <c>{"error": message}</c> with <see cref="Status"/>.</summary>
internal sealed class ApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
