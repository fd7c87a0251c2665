using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OpenRed.Cli.Control;
using OpenRed.Core;
using OpenRed.Core.Phoenix;

namespace OpenRed.Cli.Web;

/// <summary>
/// One resurrection as server-sent events: <c>progress</c> frames (at most one per interval, only when something
/// moved), then <c>done</c> with the <c>resurrect --json</c> object or <c>failed</c> with <c>{"error"}</c>.
/// </summary>
internal sealed class ResurrectStream(HttpContext context, OpenRedNode node, TimeSpan every) : IProgress<ResurrectProgress>
{
    private ResurrectProgress? _last;

    public void Report(ResurrectProgress value) => Volatile.Write(ref _last, value);

    public async Task RunAsync(string urn, TimeSpan? timeout, Func<ResurrectResult, string> json, CancellationToken cancellationToken)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await WriteAsync("progress", Progress(new ResurrectProgress(0, 0, 0), "resolving"), cancellationToken);
        var work = node.Phoenix.ResurrectAsync(urn, null, timeout, this, cancellationToken);
        ResurrectProgress? sent = null;
        while (await Task.WhenAny(work, Task.Delay(every, node.Time, cancellationToken)) != work)
        {
            if (Volatile.Read(ref _last) is { } p && p != sent)
            {
                await WriteAsync("progress", Progress(p, "fetching"), cancellationToken);
                sent = p;
            }
        }

        ResurrectResult result;
        try
        {
            result = await work;
        }
        catch (Exception e) when (e is PhoenixException or IOException or UnauthorizedAccessException)
        {
            await WriteAsync("failed", JsonSerializer.Serialize(new ErrorResponse(e.Message), ControlJson.Options), cancellationToken);
            return;
        }

        var size = (long)result.Size;
        await WriteAsync("progress", Progress(new ResurrectProgress(size, size, result.Holders.Count), result.Stage.ToString().ToLowerInvariant()), cancellationToken);
        await WriteAsync("done", json(result), cancellationToken);
    }

    private static string Progress(ResurrectProgress p, string stage) =>
        JsonSerializer.Serialize(new ProgressJson(p.BytesHeld, p.TotalBytes, p.Holders, stage), ControlJson.Options);

    private async Task WriteAsync(string name, string data, CancellationToken cancellationToken)
    {
        var frame = new StringBuilder().Append("event: ").Append(name).Append('\n').Append("data: ").Append(data).Append("\n\n").ToString();
        await context.Response.WriteAsync(frame, cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }

    private sealed record ProgressJson(long Bytes, long Total, int Holders, string Stage);
}
