using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenRed.Cli.Control;

namespace OpenRed.Cli.Web;

/// <summary>
/// The dashboard's gate, before anything else runs: security headers on every answer; the Host header must name the
/// listener (DNS rebinding); <c>GET /?token=</c> trades the printed token for a cookie; every other request needs
/// that cookie or <c>Authorization: Bearer</c>; a state-changing request needs the CSRF header, and an Origin, when
/// it has one, of this listener.
/// </summary>
internal sealed partial class WebAuth
{
    public const string CookieName = "openred_token";
    public const string CsrfHeader = "X-OpenRed-CSRF";

    private const string Policy =
        "default-src 'self'; img-src 'self' data: blob:; connect-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'";

    private const string OpenTheLinkPage = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>OpenRed: token needed</title></head>
        <body><h1>Token needed</h1><p>Open the link the node printed at start (<code>dashboard: http://…/?token=…</code>).</p></body></html>

        """;

    private readonly WebToken _token;
    private readonly ILogger _logger;
    private volatile WebAddress? _address;

    public WebAuth(WebToken token, ILogger logger)
    {
        _token = token;
        _logger = logger;
    }

    /// <summary>Set once Kestrel listens (the port may have been chosen by the system); until then every request waits outside.</summary>
    public WebAddress? Address
    {
        get => _address;
        set => _address = value;
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = Policy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";

        if (_address is not { } address)
        {
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "the dashboard is starting; try again");
            return;
        }

        if (!address.IsOwnHost(request.Host.Value))
        {
            LogRefused(_logger, "Host", request.Method, request.Path.Value ?? "");
            await RefuseAsync(context, StatusCodes.Status421MisdirectedRequest,
                $"the Host header {Quoted(request.Host.Value)} does not name this dashboard ({address.BaseUrl}); open the link the node printed");
            return;
        }

        if (request.Path == "/" && request.Query.TryGetValue("token", out var given))
        {
            await TradeTokenForCookieAsync(context, given.ToString());
            return;
        }

        if (!HasToken(request))
        {
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "the dashboard token is missing or wrong: open the link the node printed");
            return;
        }

        if (!IsSafe(request.Method))
        {
            if (request.Headers.Origin is { Count: > 0 } origin && !address.IsOwnOrigin(origin.ToString()))
            {
                LogRefused(_logger, "Origin", request.Method, request.Path.Value ?? "");
                await RefuseAsync(context, StatusCodes.Status403Forbidden, $"requests from {Quoted(origin.ToString())} are refused: only the dashboard's own pages may change things");
                return;
            }

            if (!_token.CsrfMatches(request.Headers[CsrfHeader].ToString() is { Length: > 0 } csrf ? csrf : null))
            {
                LogRefused(_logger, "CSRF", request.Method, request.Path.Value ?? "");
                await RefuseAsync(context, StatusCodes.Status403Forbidden, $"the {CsrfHeader} header is missing or wrong: take it from GET /v1/web/session");
                return;
            }
        }

        await next(context);
    }

    private static bool IsSafe(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    private bool HasToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return _token.Matches(authorization["Bearer ".Length..].Trim());
        }

        return _token.Matches(request.Cookies[CookieName]);
    }

    private async Task TradeTokenForCookieAsync(HttpContext context, string given)
    {
        if (!_token.Matches(given))
        {
            LogRefused(_logger, "token", context.Request.Method, "/");
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "this link's token is not the node's: open the link the node printed last");
            return;
        }

        context.Response.Cookies.Append(CookieName, _token.Value, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            IsEssential = true,
        });

        // 303 to "/": the token leaves the address bar and the history.
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = "/";
        context.Response.Headers.CacheControl = "no-store";
    }

    private static async Task RefuseAsync(HttpContext context, int status, string error)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        if (context.Request.Path.StartsWithSegments("/v1") || !HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(new ErrorResponse(error), ControlJson.Options) + "\n", context.RequestAborted);
            return;
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(OpenTheLinkPage, context.RequestAborted);
    }

    private static string Quoted(string? text) => JsonSerializer.Serialize(text ?? "", ControlJson.Options);

    [LoggerMessage(EventId = 922, Level = LogLevel.Information, Message = "Dashboard refused {Method} {Path}: bad {Check}")]
    private static partial void LogRefused(ILogger logger, string check, string method, string path);
}
