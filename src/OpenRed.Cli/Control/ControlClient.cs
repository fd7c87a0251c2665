using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace OpenRed.Cli.Control;

/// <summary>The control API from another process (<c>ctl</c>, <c>attach</c>): HTTP over the node's Unix socket.</summary>
internal sealed class ControlClient : IDisposable
{
    private readonly HttpClient _http;

    public ControlClient(string dataDirectory)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        SocketPath = ControlSocket.PathIn(DataDirectory);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = ConnectAsync,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://openred/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    public string DataDirectory { get; }

    public string SocketPath { get; }

    /// <summary>Runs one prompt line on the node.</summary>
    /// <exception cref="ControlUnreachableException">No node answers there.</exception>
    /// <exception cref="ControlRefusedException">The node refused the request (status and its one-line reason).</exception>
    public async Task<CommandResponse> RunAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => _http.PostAsJsonAsync("v1/command", request, ControlJson.Options, cancellationToken));
        return await ReadAsync<CommandResponse>(response, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> CompleteAsync(IReadOnlyList<string> words, string prefix, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() =>
            _http.PostAsJsonAsync("v1/complete", new CompleteRequest(words, prefix), ControlJson.Options, cancellationToken));
        return (await ReadAsync<CompleteResponse>(response, cancellationToken)).Candidates;
    }

    /// <summary>A listing (<c>status</c>, <c>peers</c>, …): the command's <c>--json</c> document.</summary>
    public async Task<JsonElement> GetAsync(string listing, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => _http.GetAsync("v1/" + listing, cancellationToken));
        return await ReadAsync<JsonElement>(response, cancellationToken);
    }

    /// <summary>
    /// The node's events until it stops (or the connection breaks). <paramref name="subscribed"/> is called once the
    /// node has subscribed this reader, so nothing after that moment is missed.
    /// </summary>
    public async IAsyncEnumerable<EventJson> EventsAsync(Action subscribed, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() =>
            _http.GetAsync("v1/events", HttpCompletionOption.ResponseHeadersRead, cancellationToken));
        if (!response.IsSuccessStatusCode)
        {
            await ReadAsync<JsonElement>(response, cancellationToken);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith(':'))
            {
                subscribed();
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal)
                && JsonSerializer.Deserialize<EventJson>(line["data: ".Length..], ControlJson.Options) is { } e)
            {
                yield return e;
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return await send();
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException s)
        {
            throw Unreachable(s);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse)
        {
            throw new ControlUnreachableException(
                $"the node at {DataDirectory} closed the connection before it answered (it may be stopping)", noNode: false);
        }
    }

    private ControlUnreachableException Unreachable(SocketException s)
    {
        if (!Directory.Exists(DataDirectory))
        {
            return new ControlUnreachableException($"no node runs at {DataDirectory}: there is no such directory", noNode: true);
        }

        if (!File.Exists(SocketPath))
        {
            return new ControlUnreachableException($"no node runs at {DataDirectory}: there is no control socket {SocketPath}", noNode: true);
        }

        return s.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => new ControlUnreachableException(
                $"no node runs at {DataDirectory}: nothing listens on {SocketPath} (left by a node that did not stop cleanly)", noNode: true),
            SocketError.AccessDenied => new ControlUnreachableException(
                $"cannot reach the node at {DataDirectory}: permission denied on {SocketPath} (run as the user who runs the node)", noNode: false),
            _ => new ControlUnreachableException($"cannot reach the node at {DataDirectory} on {SocketPath}: {s.Message}", noNode: false),
        };
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            string reason;
            try
            {
                reason = (await response.Content.ReadFromJsonAsync<ErrorResponse>(ControlJson.Options, cancellationToken))?.Error ?? "";
            }
            catch (JsonException)
            {
                reason = "";
            }

            throw new ControlRefusedException((int)response.StatusCode, reason.Length > 0 ? reason : response.ReasonPhrase ?? "refused");
        }

        return (await response.Content.ReadFromJsonAsync<T>(ControlJson.Options, cancellationToken))!;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>No node answers on the socket; <see cref="NoNode"/> when none runs there at all (exit code 3).</summary>
internal sealed class ControlUnreachableException : Exception
{
    public ControlUnreachableException(string message, bool noNode) : base(message) => NoNode = noNode;

    public ControlUnreachableException() { }

    public ControlUnreachableException(string message) : base(message) { }

    public ControlUnreachableException(string message, Exception inner) : base(message, inner) { }

    public bool NoNode { get; }
}

/// <summary>The node answered with an error status (a bad request, or it is stopping).</summary>
internal sealed class ControlRefusedException : Exception
{
    public ControlRefusedException(int status, string message) : base(message) => Status = status;

    public ControlRefusedException() { }

    public ControlRefusedException(string message) : base(message) { }

    public ControlRefusedException(string message, Exception inner) : base(message, inner) { }

    public int Status { get; }
}
