using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.Json;
using OpenRed.Cli.Web;
using OpenRed.Core;
using OpenRed.IntegrationTests.Cli;
using Serilog.Events;
using Serilog.Parsing;

namespace OpenRed.IntegrationTests.Web;

/// <summary>The dashboard's endpoints on real nodes over real loopback TCP: events, publish, download, resurrect, log.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class WebEndpointsTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dir = new();
    private WebNode _web = null!;

    public async Task InitializeAsync() => _web = await WebNode.StartAsync(await WebNode.StartNodeAsync(_dir, "hub"));

    public async Task DisposeAsync()
    {
        await _web.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Events_ThroughTheListener_SessionOpened()
    {
        await using var other = await WebNode.StartNodeAsync(_dir, "spoke");
        using var stop = new CancellationTokenSource(Wait);
        using var response = await _web.Http.SendAsync(_web.Request(HttpMethod.Get, "/v1/events"), HttpCompletionOption.ResponseHeadersRead, stop.Token);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        var events = new ServerSentEvents(await response.Content.ReadAsStreamAsync(stop.Token));
        (await events.NextCommentAsync(stop.Token)).Should().Be(": subscribed");

        await other.ConnectAsync("127.0.0.1", _web.Node.Port, null, stop.Token);
        var opened = await events.NextAsync(e => e.Name == "session_opened", stop.Token);

        var data = JsonDocument.Parse(opened.Data).RootElement;
        data.GetProperty("type").GetString().Should().Be("session_opened");
        data.GetProperty("node_id").GetString().Should().Be("spoke");
        data.GetProperty("fingerprint").GetString().Should().Be(other.Fingerprint.Hex);
    }

    [Fact]
    public async Task Publish_Upload_ThenDownload_SameBytes()
    {
        var bytes = RandomNumberGenerator.GetBytes(700_000);
        using var upload = _web.Request(HttpMethod.Post, "/v1/web/publish?filename=holiday%20photo.jpg");
        upload.Content = new ByteArrayContent(bytes);

        using var published = await _web.Http.SendAsync(upload);
        published.StatusCode.Should().Be(HttpStatusCode.OK, await published.Content.ReadAsStringAsync());
        var json = await published.Content.ReadFromJsonAsync<JsonElement>();
        using var download = await _web.Http.SendAsync(_web.Request(HttpMethod.Get, $"/v1/web/urns/{json.GetProperty("name").GetString()}/content"));

        json.GetProperty("name").GetString().Should().Be("holiday_photo");
        json.GetProperty("media_type").GetString().Should().Be("image/jpeg");
        json.GetProperty("size").GetInt64().Should().Be(bytes.Length);
        json.GetProperty("publisher").GetString().Should().Be(_web.Node.Fingerprint.Hex);
        download.StatusCode.Should().Be(HttpStatusCode.OK);
        download.Content.Headers.ContentDisposition!.DispositionType.Should().Be("attachment");
        download.Content.Headers.ContentDisposition.FileName.Should().Be("holiday_photo.jpg", "the name with the type's extension");
        (await download.Content.ReadAsByteArrayAsync()).Should().Equal(bytes);
        Directory.Exists(Path.Combine(_web.Node.DataDirectory.Root, WebEndpoints.UploadsDirectoryName)).Should().BeTrue();
        Directory.EnumerateFileSystemEntries(Path.Combine(_web.Node.DataDirectory.Root, WebEndpoints.UploadsDirectoryName)).Should().BeEmpty();
    }

    [Fact]
    public async Task Publish_NameAndType_Given_AreUsed()
    {
        using var upload = _web.Request(HttpMethod.Post, "/v1/web/publish?name=notes_1&type=text/plain&filename=a.bin");
        upload.Content = new ByteArrayContent("hello"u8.ToArray());

        using var published = await _web.Http.SendAsync(upload);

        var json = await published.Content.ReadFromJsonAsync<JsonElement>();
        json.GetProperty("name").GetString().Should().Be("notes_1");
        json.GetProperty("media_type").GetString().Should().Be("text/plain");
    }

    [Fact]
    public async Task Download_NotHeld_404()
    {
        using var response = await _web.Http.SendAsync(_web.Request(HttpMethod.Get, "/v1/web/urns/nothing_here/content"));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().Should().Contain("nothing_here");
    }

    [Fact]
    public async Task Publish_OverTheLimit_413_NothingLeft()
    {
        await using var small = await WebNode.StartAsync(
            await WebNode.StartNodeAsync(_dir, "small"),
            new WebOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), MaxUploadBytes = 10_000 });
        using var declared = small.Request(HttpMethod.Post, "/v1/web/publish?filename=big.bin");
        declared.Content = new ByteArrayContent(new byte[10_001]);
        using var streamed = small.Request(HttpMethod.Post, "/v1/web/publish?filename=big.bin");
        streamed.Content = new StreamContent(new MemoryStream(new byte[50_000]));
        streamed.Headers.TransferEncodingChunked = true;

        using var a = await small.Http.SendAsync(declared);
        HttpStatusCode? b;
        try
        {
            using var response = await small.Http.SendAsync(streamed);
            b = response.StatusCode;
        }
        catch (HttpRequestException)
        {
            // Kestrel answers 413 and closes the connection while the client may still be writing: a broken pipe then.
            b = null;
        }

        a.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await a.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().Should().Contain("10000 bytes");
        b?.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await small.GetJsonAsync("/v1/web/session")).GetProperty("max_upload_bytes").GetInt64().Should().Be(10_000);
        small.Node.Phoenix.ListUrns().Should().BeEmpty();
        var uploads = Path.Combine(small.Node.DataDirectory.Root, WebEndpoints.UploadsDirectoryName);
        using var deadline = new CancellationTokenSource(Wait);
        while (Directory.EnumerateFileSystemEntries(uploads).Any())
        {
            // The refused request's part is removed when its handler ends, which may be after the client saw the close.
            await Task.Delay(50, deadline.Token);
        }
    }

    [Fact]
    public async Task Resurrect_StreamsProgress_ThenDone()
    {
        await using var publisher = await Phoenix.PhoenixNodes.StartAsync(_dir, "publisher", replicas: 0);
        var bytes = RandomNumberGenerator.GetBytes(2_000_000);
        var file = _dir.Sub("movie.bin");
        await File.WriteAllBytesAsync(file, bytes);
        await _web.Node.ConnectAsync("127.0.0.1", publisher.Port, publisher.Fingerprint, CancellationToken.None);
        await publisher.Phoenix.PublishAsync(file, "movie", null, CancellationToken.None);
        using var request = _web.Request(HttpMethod.Post, "/v1/web/resurrect");
        request.Content = JsonContent.Create(new { urn = "movie@" + publisher.Fingerprint.Hex[..16], timeout = 30 });
        using var stop = new CancellationTokenSource(Wait);

        using var response = await _web.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var events = new ServerSentEvents(await response.Content.ReadAsStreamAsync(stop.Token));
        var seen = new List<ServerSentEvents.Event>();
        ServerSentEvents.Event e;
        do
        {
            e = await events.NextAsync(_ => true, stop.Token);
            seen.Add(e);
        }
        while (e.Name == "progress");

        e.Name.Should().Be("done", string.Join("\n", seen.Select(s => s.Name + " " + s.Data)));
        seen.Count.Should().BeGreaterThan(1);
        var last = JsonDocument.Parse(seen[^2].Data).RootElement;
        last.GetProperty("bytes").GetInt64().Should().Be(bytes.Length);
        last.GetProperty("total").GetInt64().Should().Be(bytes.Length);
        last.GetProperty("stage").GetString().Should().Be("network");
        JsonDocument.Parse(seen[0].Data).RootElement.GetProperty("stage").GetString().Should().Be("resolving");
        var done = JsonDocument.Parse(e.Data).RootElement;
        done.GetProperty("name").GetString().Should().Be("movie");
        done.GetProperty("stage").GetString().Should().Be("network");
        (await File.ReadAllBytesAsync(done.GetProperty("path").GetString()!)).Should().Equal(bytes);
    }

    [Fact]
    public async Task Resurrect_Unknown_Failed()
    {
        using var request = _web.Request(HttpMethod.Post, "/v1/web/resurrect");
        request.Content = JsonContent.Create(new { urn = "nobody_has_it", timeout = 0.5 });
        using var stop = new CancellationTokenSource(Wait);

        using var response = await _web.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
        var failed = await new ServerSentEvents(await response.Content.ReadAsStreamAsync(stop.Token)).NextAsync(e => e.Name != "progress", stop.Token);

        failed.Name.Should().Be("failed");
        JsonDocument.Parse(failed.Data).RootElement.GetProperty("error").GetString().Should().Contain("nobody_has_it");
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"urn\":\"x\",\"timeout\":0}")]
    [InlineData("not json")]
    public async Task Resurrect_BadRequest_400(string body)
    {
        using var request = _web.Request(HttpMethod.Post, "/v1/web/resurrect");
        request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        using var response = await _web.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Log_LastLines_ByMinimumLevel_NewestLast()
    {
        Emit(LogEventLevel.Information, "first");
        Emit(LogEventLevel.Warning, "second");
        Emit(LogEventLevel.Debug, "third");

        var information = await _web.GetJsonAsync("/v1/web/log?level=information&lines=2");
        var warnings = await _web.GetJsonAsync("/v1/web/log?level=warning");
        using var bad = await _web.Http.SendAsync(_web.Request(HttpMethod.Get, "/v1/web/log?lines=0"));

        information.EnumerateArray().Select(l => l.GetProperty("message").GetString()).Should().Equal("first", "second");
        information[1].GetProperty("level").GetString().Should().Be("warning");
        warnings.EnumerateArray().Select(l => l.GetProperty("message").GetString()).Should().Equal("second");
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Thumbnail_NoneKnown_404()
    {
        using var own = await _web.Http.SendAsync(_web.Request(HttpMethod.Get, $"/v1/web/peers/{_web.Node.Fingerprint.Hex}/thumbnail"));
        using var unknown = await _web.Http.SendAsync(_web.Request(HttpMethod.Get, "/v1/web/peers/0123456789abcdef/thumbnail"));

        own.StatusCode.Should().Be(HttpStatusCode.NotFound);
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task EventReaders_Bounded_503()
    {
        await using var tight = await WebNode.StartAsync(
            await WebNode.StartNodeAsync(_dir, "tight"),
            new WebOptions { EndPoint = new IPEndPoint(IPAddress.Loopback, 0), Api = new() { MaxEventReaders = 1 } });
        using var stop = new CancellationTokenSource(Wait);
        using var first = await tight.Http.SendAsync(tight.Request(HttpMethod.Get, "/v1/events"), HttpCompletionOption.ResponseHeadersRead, stop.Token);
        await new ServerSentEvents(await first.Content.ReadAsStreamAsync(stop.Token)).NextCommentAsync(stop.Token);

        using var second = await tight.Http.SendAsync(tight.Request(HttpMethod.Get, "/v1/events"), stop.Token);

        second.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
    }

    private void Emit(LogEventLevel level, string text) =>
        _web.Log.Emit(new LogEvent(DateTimeOffset.UtcNow, level, null, new MessageTemplateParser().Parse(text), []));
}
