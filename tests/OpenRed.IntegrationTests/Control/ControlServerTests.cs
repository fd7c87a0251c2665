using System.Runtime.Versioning;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Cli.Control;
using OpenRed.Cli.Repl;
using OpenRed.Core;
using OpenRed.IntegrationTests.Cli;

namespace OpenRed.IntegrationTests.Control;

/// <summary>The control API in-process, on a real node and a real Unix socket: endpoints and bad input.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class ControlServerTests : IAsyncLifetime
{
    private static readonly ControlOptions Short = new()
    {
        RequestHeadersTimeout = TimeSpan.FromSeconds(1),
        KeepAliveTimeout = TimeSpan.FromSeconds(2),
        BodyRateGracePeriod = TimeSpan.FromSeconds(2),
    };

    private readonly TempDirectory _dir = new();
    private readonly TaskCompletionSource<string> _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private OpenRedNode _node = null!;
    private ControlServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _node = await StartNodeAsync(_dir, "hub");
        _server = await ControlServer.StartAsync(
            _node, CommandRegistry.Discover(), NullLoggerFactory.Instance, r => _shutdown.TrySetResult(r), Short, CancellationToken.None);
        _http = Client(_server.SocketPath);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        await _node.DisposeAsync();
        _dir.Dispose();
    }

    [Theory]
    [InlineData("GET", "/nothing", 404)]
    [InlineData("GET", "/v1/connect", 404)]
    [InlineData("GET", "/v1/nothing", 404)]
    [InlineData("POST", "/v1/status", 404)]
    [InlineData("GET", "/v1/command", 404)]
    [InlineData("DELETE", "/v1/events", 404)]
    public async Task UnknownEndpoint_JsonError(string method, string path, int status)
    {
        using var response = await _http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        ((int)response.StatusCode).Should().Be(status);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        error.GetProperty("error").GetString().Should().Contain(path);
    }

    [Fact]
    public async Task Listings_AreThePromptsJson()
    {
        var index = await _http.GetFromJsonAsync<JsonElement>("/v1");
        var status = await _http.GetFromJsonAsync<JsonElement>("/v1/status");
        var peers = await _http.GetFromJsonAsync<JsonElement>("/v1/peers");

        index.GetProperty("listings").EnumerateArray().Select(e => e.GetString()).Should().Contain(["links", "map", "peers", "status"]);
        index.GetProperty("fingerprint").GetString().Should().Be(_node.Fingerprint.Hex);
        status.GetProperty("node_id").GetString().Should().Be("hub");
        peers.GetProperty("sessions").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task BodyOver64KiB_Refused413()
    {
        var line = new string('x', 70 * 1024);

        using var response = await _http.PostAsJsonAsync("/v1/command", new { line });

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().Should().Contain("65536 bytes");
    }

    [Fact]
    public async Task BadJson_Refused400()
    {
        using var response = await _http.PostAsync("/v1/command", new StringContent("{\"line\": ", Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().Should().Contain("JSON");
    }

    [Theory]
    [InlineData("GET /v1 HTTP/1.1\r\nHost: x")]
    [InlineData("POST /v1/command HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"li")]
    [InlineData("")]
    public async Task StalledClient_IsCutOff(string sentBeforeStalling)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_server.SocketPath));
        await socket.SendAsync(Encoding.ASCII.GetBytes(sentBeforeStalling));

        // The server closes the connection (after a 408 at most); the read then ends.
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token) > 0)
        {
        }
    }

    [Fact]
    public async Task ConcurrentCommands_EachGetsItsOwnWholeOutput()
    {
        var single = await RunAsync("help");
        var status = await RunAsync("status --json");

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => RunAsync(i % 2 == 0 ? "help" : "status --json")));

        for (var i = 0; i < answers.Length; i++)
        {
            answers[i].ExitCode.Should().Be(0);
            answers[i].Stderr.Should().BeEmpty();
            if (i % 2 == 0)
            {
                answers[i].Stdout.Should().Be(single.Stdout);
            }
            else
            {
                answers[i].Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().ContainSingle()
                    .Which.Should().StartWith("{\"node_id\":\"hub\"");
            }
        }

        status.Stdout.Should().EndWith("}\n");
    }

    [Fact]
    public async Task Command_UsageAndFailure_AreOutcomesNotHttpErrors()
    {
        var unknown = await RunAsync("staus");
        var failed = await RunAsync("resurrect x");
        var comment = await RunAsync("# nothing");

        unknown.ExitCode.Should().Be(2);
        unknown.Stderr.Should().Be("openred: unknown command 'staus'; did you mean 'status'?\n");
        failed.ExitCode.Should().Be(1);
        comment.Should().Be(new CommandResponse(0, "", "", false));
    }

    [Fact]
    public async Task Quit_AnsweredFirst_ThenShutdownRequested()
    {
        var quit = await RunAsync("quit");

        quit.Quit.Should().BeTrue();
        (await _shutdown.Task.WaitAsync(TimeSpan.FromSeconds(10))).Should().Contain("quit");
    }

    [Fact]
    public async Task Complete_AsksTheCommandTable()
    {
        using var response = await _http.PostAsJsonAsync("/v1/complete", new { words = Array.Empty<string>(), prefix = "di" });
        var candidates = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("candidates");

        candidates.EnumerateArray().Select(e => e.GetString()).Should().Equal("disconnect");
    }

    [Fact]
    public async Task Events_SubscribedFirst_ThenSessionOpened()
    {
        using var dir = new TempDirectory();
        await using var other = await StartNodeAsync(dir, "spoke");
        using var client = new ControlClient(_node.DataDirectory.Root);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var opened = FirstAsync(client.EventsAsync(() => subscribed.TrySetResult(), stop.Token), e => e.Type == "session_opened");

        await subscribed.Task.WaitAsync(stop.Token);
        await other.ConnectAsync("127.0.0.1", _node.Port, null, stop.Token);
        var e = await opened;

        e.NodeId.Should().Be("spoke");
        e.Fingerprint.Should().Be(other.Fingerprint.Hex);
        e.Direction.Should().Be("inbound");
        e.Text.Should().StartWith("+ session with spoke (");
    }

    [Fact]
    public async Task StaleSocketFile_ReplacedAtStart_OwnerOnly()
    {
        using var dir = new TempDirectory();
        await using var node = await StartNodeAsync(dir, "again");
        var path = Path.Combine(node.DataDirectory.Root, "control.sock");
        await File.WriteAllTextAsync(path, "left over");

        await using var server = await ControlServer.StartAsync(
            node, CommandRegistry.Discover(), NullLoggerFactory.Instance, _ => { }, Short, CancellationToken.None);
        using var http = Client(server.SocketPath);

        (await http.GetFromJsonAsync<JsonElement>("/v1/status")).GetProperty("node_id").GetString().Should().Be("again");
        File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private async Task<CommandResponse> RunAsync(string line)
    {
        using var response = await _http.PostAsJsonAsync("/v1/command", new { line });
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<CommandResponse>(ControlJson.Options))!;
    }

    private static async Task<T> FirstAsync<T>(IAsyncEnumerable<T> items, Func<T, bool> match)
    {
        await foreach (var item in items)
        {
            if (match(item))
            {
                return item;
            }
        }

        throw new InvalidOperationException("the stream ended first");
    }

    private static HttpClient Client(string socketPath) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    {
        BaseAddress = new Uri("http://openred"),
    };

    private static Task<OpenRedNode> StartNodeAsync(TempDirectory dir, string nodeId) => OpenRedNode.StartAsync(
        new NodeOptions
        {
            NodeId = nodeId,
            DataDirectory = dir.Sub(nodeId),
            Port = 0,
            ListenAddress = IPAddress.Loopback,
            LighthouseEnabled = false,
        },
        NullLoggerFactory.Instance,
        TimeProvider.System,
        CancellationToken.None);
}
