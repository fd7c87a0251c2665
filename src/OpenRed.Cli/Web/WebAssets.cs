using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;

namespace OpenRed.Cli.Web;

/// <summary>
/// The pages, embedded in the executable (resources named <c>wwwroot/&lt;path&gt;</c>): nothing is read from disk and
/// nothing from outside, so what the browser runs is what was built. <c>/</c> is <c>index.html</c>.
/// </summary>
internal sealed class WebAssets
{
    private const string Prefix = "wwwroot/";

    private static readonly FileExtensionContentTypeProvider Types = new();

    private readonly Assembly _assembly;
    private readonly HashSet<string> _names;

    public WebAssets(Assembly? assembly = null)
    {
        _assembly = assembly ?? typeof(WebAssets).Assembly;
        _names = [.. _assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))];
    }

    public IReadOnlyCollection<string> Names => _names;

    /// <summary>Serves GET and HEAD of a path outside <c>/v1</c>; anything else goes on.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments("/v1") || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            await next(context);
            return;
        }

        var path = request.Path.Value is null or "/" ? "index.html" : request.Path.Value.TrimStart('/');
        var name = Prefix + path;
        if (path.Contains("..", StringComparison.Ordinal) || !_names.Contains(name))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("not found\n", context.RequestAborted);
            return;
        }

        await using var content = _assembly.GetManifestResourceStream(name)!;
        context.Response.ContentType = Types.TryGetContentType(path, out var type) ? WithCharset(type) : "application/octet-stream";
        context.Response.ContentLength = content.Length;

        // The pages change with the executable: a browser checks again rather than run an old script on a new node.
        context.Response.Headers.CacheControl = "no-cache";
        if (HttpMethods.IsGet(request.Method))
        {
            await content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    private static string WithCharset(string type) =>
        type.StartsWith("text/", StringComparison.Ordinal) || type is "application/javascript" or "application/json" or "image/svg+xml"
            ? type + "; charset=utf-8"
            : type;
}
