using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Cli.Logging;
using OpenRed.Cli.Repl;
using OpenRed.Cli.Web;
using OpenRed.Core;
using OpenRed.IntegrationTests.Cli;

namespace OpenRed.IntegrationTests.Web;

/// <summary>A real node in this process with its dashboard on a real loopback TCP port (chosen by the system).</summary>
internal sealed class WebNode : IAsyncDisposable
{
    private WebNode(OpenRedNode node, WebServer server, LogRing log)
    {
        Node = node;
        Server = server;
        Log = log;
        Http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(server.Address.BaseUrl),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public OpenRedNode Node { get; }

    public WebServer Server { get; }

    public LogRing Log { get; }

    /// <summary>No cookie, no token: each test adds what it checks.</summary>
    public HttpClient Http { get; }

    public string Token => Server.Token.Value;

    public static async Task<WebNode> StartAsync(OpenRedNode node, WebOptions? options = null)
    {
        var log = new LogRing(100);
        var server = await WebServer.StartAsync(
            node, CommandRegistry.Discover(), NullLoggerFactory.Instance, log, _ => { },
            options ?? new WebOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) }, newToken: false, CancellationToken.None);
        return new WebNode(node, server, log);
    }

    public HttpRequestMessage Request(HttpMethod method, string path, bool token = true, bool csrf = true)
    {
        var request = new HttpRequestMessage(method, path);
        if (token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        if (csrf && method != HttpMethod.Get)
        {
            request.Headers.Add("X-OpenRed-CSRF", Server.Token.Csrf);
        }

        return request;
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Http.SendAsync(Request(HttpMethod.Get, path));
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        await Node.DisposeAsync();
    }

    public static Task<OpenRedNode> StartNodeAsync(TempDirectory dir, string nodeId) =>
        Phoenix.PhoenixNodes.StartAsync(dir, nodeId, replicas: 1);
}
