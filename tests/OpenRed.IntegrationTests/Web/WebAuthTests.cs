using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using OpenRed.IntegrationTests.Cli;

namespace OpenRed.IntegrationTests.Web;

/// <summary>The dashboard's security rules over real loopback TCP: token, cookie, Host, Origin and CSRF.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class WebAuthTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private WebNode _web = null!;

    public async Task InitializeAsync() => _web = await WebNode.StartAsync(await WebNode.StartNodeAsync(_dir, "hub"));

    public async Task DisposeAsync()
    {
        await _web.DisposeAsync();
        _dir.Dispose();
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    [InlineData("/v1")]
    [InlineData("/v1/status")]
    [InlineData("/v1/events")]
    [InlineData("/v1/web/session")]
    public async Task NoToken_Refused401(string path)
    {
        using var response = await _web.Http.SendAsync(_web.Request(HttpMethod.Get, path, token: false));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var body = await response.Content.ReadAsStringAsync();
        if (path.StartsWith("/v1", StringComparison.Ordinal))
        {
            JsonDocument.Parse(body).RootElement.GetProperty("error").GetString().Should().Contain("token");
        }
        else
        {
            response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
            body.Should().Contain("Open the link the node printed");
        }
    }

    [Fact]
    public async Task WrongToken_Refused401_AsBearerCookieOrLink()
    {
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/v1/status");
        bearer.Headers.Authorization = new("Bearer", _web.Token[..^1] + (_web.Token[^1] == 'A' ? 'B' : 'A'));
        using var cookie = new HttpRequestMessage(HttpMethod.Get, "/v1/status");
        cookie.Headers.Add("Cookie", "openred_token=nope");

        using var byBearer = await _web.Http.SendAsync(bearer);
        using var byCookie = await _web.Http.SendAsync(cookie);
        using var byLink = await _web.Http.GetAsync("/?token=nope");

        byBearer.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        byCookie.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        byLink.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        byLink.Headers.Contains("Set-Cookie").Should().BeFalse();
    }

    [Fact]
    public async Task TokenLink_SetsStrictHttpOnlyCookie_RedirectsToRoot_CookieThenOpensPagesAndApi()
    {
        using var link = await _web.Http.GetAsync("/?token=" + _web.Token);

        link.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        link.Headers.Location!.OriginalString.Should().Be("/");
        var cookie = link.Headers.GetValues("Set-Cookie").Should().ContainSingle().Subject;
        cookie.Should().StartWith($"openred_token={_web.Token};").And.Contain("httponly").And.Contain("samesite=strict").And.Contain("path=/");

        using var page = new HttpRequestMessage(HttpMethod.Get, "/");
        page.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var pageResponse = await _web.Http.SendAsync(page);
        using var api = new HttpRequestMessage(HttpMethod.Get, "/v1/status");
        api.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var apiResponse = await _web.Http.SendAsync(api);

        pageResponse.StatusCode.Should().Be(HttpStatusCode.OK);
        pageResponse.Content.Headers.ContentType!.ToString().Should().Be("text/html; charset=utf-8");
        (await pageResponse.Content.ReadAsStringAsync()).Should().Contain("<html");
        apiResponse.StatusCode.Should().Be(HttpStatusCode.OK);
        (await apiResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("node_id").GetString().Should().Be("hub");
    }

    [Fact]
    public async Task Bearer_OpensApi_AnswersCarrySecurityHeaders()
    {
        using var response = await _web.Http.SendAsync(_web.Request(HttpMethod.Get, "/v1/peers"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("default-src 'self'").And.Contain("frame-ancestors 'none'");
        response.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
        response.Headers.GetValues("Referrer-Policy").Single().Should().Be("no-referrer");
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:{port}")]
    [InlineData("127.0.0.1:1")]
    [InlineData("10.1.2.3:{port}")]
    public async Task ForeignHost_Refused421_EvenWithToken(string host)
    {
        using var request = _web.Request(HttpMethod.Get, "/v1/status");
        request.Headers.Host = host.Replace("{port}", _web.Server.Address.Bound.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        using var response = await _web.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.MisdirectedRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().Should().Contain("Host");
    }

    [Theory]
    [InlineData("localhost:{port}")]
    [InlineData("127.0.0.1:{port}")]
    [InlineData("127.0.0.2:{port}")]
    public async Task LoopbackNames_Accepted(string host)
    {
        using var request = _web.Request(HttpMethod.Get, "/v1/status");
        request.Headers.Host = host.Replace("{port}", _web.Server.Address.Bound.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        using var response = await _web.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong")]
    public async Task PostWithoutRightCsrf_Refused403(string? csrf)
    {
        using var request = _web.Request(HttpMethod.Post, "/v1/command", csrf: false);
        request.Content = JsonContent.Create(new { line = "status --json" });
        if (csrf is not null)
        {
            request.Headers.Add("X-OpenRed-CSRF", csrf);
        }

        using var response = await _web.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().Should().Contain("X-OpenRed-CSRF");
    }

    [Fact]
    public async Task PostWithSessionsCsrf_RunsTheCommand()
    {
        var session = await _web.GetJsonAsync("/v1/web/session");
        using var request = _web.Request(HttpMethod.Post, "/v1/command", csrf: false);
        request.Headers.Add("X-OpenRed-CSRF", session.GetProperty("csrf").GetString());
        request.Content = JsonContent.Create(new { line = "status --json" });

        using var response = await _web.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        answer.GetProperty("exit_code").GetInt32().Should().Be(0);
        answer.GetProperty("stdout").GetString().Should().StartWith("{\"node_id\":\"hub\"");
        session.GetProperty("node_id").GetString().Should().Be("hub");
        session.GetProperty("fingerprint").GetString().Should().Be(_web.Node.Fingerprint.Hex);
    }

    [Theory]
    [InlineData("http://evil.example", HttpStatusCode.Forbidden)]
    [InlineData("https://127.0.0.1:{port}", HttpStatusCode.Forbidden)]
    [InlineData("http://127.0.0.1:1", HttpStatusCode.Forbidden)]
    [InlineData("null", HttpStatusCode.Forbidden)]
    [InlineData("http://127.0.0.1:{port}", HttpStatusCode.OK)]
    [InlineData("http://localhost:{port}", HttpStatusCode.OK)]
    public async Task Origin_OnlyTheDashboardsOwn(string origin, HttpStatusCode expected)
    {
        using var request = _web.Request(HttpMethod.Post, "/v1/command");
        request.Headers.Add("Origin", origin.Replace("{port}", _web.Server.Address.Bound.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        request.Content = JsonContent.Create(new { line = "# nothing" });

        using var response = await _web.Http.SendAsync(request);

        response.StatusCode.Should().Be(expected);
    }

    [Fact]
    public async Task UnknownAsset_404_UnknownApi_JsonError()
    {
        using var asset = await _web.Http.SendAsync(_web.Request(HttpMethod.Get, "/nothing.js"));
        using var escape = await _web.Http.SendAsync(_web.Request(HttpMethod.Get, "/../OpenRed.Cli.csproj"));
        using var api = await _web.Http.SendAsync(_web.Request(HttpMethod.Get, "/v1/nothing"));

        asset.StatusCode.Should().Be(HttpStatusCode.NotFound);
        escape.StatusCode.Should().Be(HttpStatusCode.NotFound);
        api.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await api.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString().Should().Contain("/v1/nothing");
    }
}
