using System.Text;

namespace OpenRed.IntegrationTests.Web;

/// <summary>Reads a text/event-stream: comments and <c>event:</c>/<c>data:</c> frames.</summary>
internal sealed class ServerSentEvents(Stream stream)
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    public async Task<string> NextCommentAsync(CancellationToken cancellationToken)
    {
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith(':'))
            {
                return line;
            }
        }

        throw new EndOfStreamException("the stream ended first");
    }

    public async Task<Event> NextAsync(Func<Event, bool> match, CancellationToken cancellationToken)
    {
        string? name = null;
        var data = new StringBuilder();
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (name is not null || data.Length > 0)
                {
                    var e = new Event(name ?? "message", data.ToString());
                    if (match(e))
                    {
                        return e;
                    }
                }

                name = null;
                data.Clear();
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Append(line["data: ".Length..]);
            }
        }

        throw new EndOfStreamException("the stream ended first");
    }

    internal sealed record Event(string Name, string Data);
}
