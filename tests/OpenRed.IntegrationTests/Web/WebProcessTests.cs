using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.Json;
using OpenRed.Cli.Startup;
using OpenRed.Cli.Web;
using OpenRed.IntegrationTests.Cli;

namespace OpenRed.IntegrationTests.Web;

/// <summary>The <c>openred</c> executable with <c>--web</c>: the printed line, <c>status</c>, the token file, start-up failures.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class WebProcessTests
{
    [Fact]
    public async Task PrintsOneLine_StatusRepeatsAddress_TokenFileOwnerOnly_SameTokenAfterRestart()
    {
        using var dir = new TempDirectory();
        string firstLine;
        await using (var node = await OpenRedProcess.StartNodeAsync(dir.Sub("n"), "--web", "127.0.0.1:0"))
        {
            firstLine = await node.WaitForStdoutAsync(l => l.StartsWith("dashboard: ", StringComparison.Ordinal));
            var status = await node.CommandJsonAsync("status");
            var (baseUrl, token) = Split(firstLine);

            baseUrl.Should().MatchRegex(@"^http://127\.0\.0\.1:\d+/$");
            status.GetProperty("dashboard").GetString().Should().Be(baseUrl);
            node.StdoutLines.Where(l => l.Contains(token, StringComparison.Ordinal)).Should().ContainSingle("the token is printed once, never by status");
            var tokenFile = Path.Combine(dir.Sub("n"), WebToken.FileName);
            File.GetUnixFileMode(tokenFile).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            (await File.ReadAllTextAsync(tokenFile)).Trim().Should().Be(token);

            using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            (await http.GetFromJsonAsync<JsonElement>("/v1/status")).GetProperty("dashboard").GetString().Should().Be(baseUrl);
            node.CloseInput();
            (await node.WaitForExitAsync()).Should().Be(0);
        }

        await using var again = await OpenRedProcess.StartNodeAsync(dir.Sub("n"), "--web", "127.0.0.1:0");
        var secondLine = await again.WaitForStdoutAsync(l => l.StartsWith("dashboard: ", StringComparison.Ordinal));
        Split(secondLine).Token.Should().Be(Split(firstLine).Token);
        again.StderrLines.Should().BeEmpty();
    }

    [Fact]
    public async Task NewWebToken_ReplacesIt()
    {
        using var dir = new TempDirectory();
        var first = await OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n"), "--web", "127.0.0.1:0"], "status\n");
        var second = await OpenRedProcess.RunAsync(
            ["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n"), "--web", "127.0.0.1:0", "--new-web-token"], "status\n");

        first.ExitCode.Should().Be(0, first.ToString());
        second.ExitCode.Should().Be(0, second.ToString());
        Split(second.StdoutLines[0]).Token.Should().NotBe(Split(first.StdoutLines[0]).Token);
    }

    [Theory]
    [InlineData("0.0.0.0:0")]
    [InlineData("10.0.0.1:8480")]
    [InlineData("[::]:8480")]
    public async Task NonLoopback_WithoutAllowRemote_Exit2_OneLine(string address)
    {
        using var dir = new TempDirectory();

        var run = await OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n"), "--web", address], "status\n");

        run.ExitCode.Should().Be(2, run.ToString());
        run.StderrLines[0].Should().StartWith("openred: --web: ").And.Contain("not a loopback address").And.Contain("--web-allow-remote");
        run.StdoutLines.Should().BeEmpty();
    }

    [Fact]
    public async Task AllowRemote_Wildcard_Warns_AndListens()
    {
        using var dir = new TempDirectory();

        var run = await OpenRedProcess.RunAsync(
            ["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n"), "--web", "0.0.0.0:0", "--web-allow-remote"], "status --json\n");

        run.ExitCode.Should().Be(0, run.ToString());
        run.StderrLines.Should().ContainSingle(run.ToString()).Which.Should().StartWith("openred: warning: ").And.Contain("beyond this machine");
        run.StdoutLines[0].Should().MatchRegex(@"^dashboard: http://127\.0\.0\.1:\d+/\?token=");
    }

    [Fact]
    public async Task PortInUse_Exit1_OneLine()
    {
        using var dir = new TempDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);

        var run = await OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n"), "--web", "127.0.0.1:" + port], "status\n");

        run.ExitCode.Should().Be(1, run.ToString());
        run.StderrLines.Should().ContainSingle(run.ToString())
            .Which.Should().Be($"openred: no dashboard: cannot listen on 127.0.0.1:{port}: the address is already in use (another node's dashboard? pick another port: --web 127.0.0.1:<port>)");
        run.StdoutLines.Should().BeEmpty();
    }

    [Theory]
    [InlineData(new string[0], null)]
    [InlineData(new[] { "--web" }, "127.0.0.1:8480")]
    [InlineData(new[] { "--web", "9000" }, "127.0.0.1:9000")]
    [InlineData(new[] { "--web", "localhost:9000" }, "127.0.0.1:9000")]
    [InlineData(new[] { "--web", "[::1]:0" }, "[::1]:0")]
    [InlineData(new[] { "--web", "--daemon" }, "127.0.0.1:8480")]
    public void Flag_DefaultIsLoopback8480(string[] args, string? expected)
    {
        var flags = new StartupFlags(() => "host", _ => null);
        var parse = flags.Parse(args);

        parse.Errors.Should().BeEmpty();
        var web = flags.ToOptions(parse).Web;
        (web is null ? null : WebAddress.HostPort(web.EndPoint.Address, web.EndPoint.Port)).Should().Be(expected);
        web?.AllowRemote.Should().BeFalse();
    }

    [Theory]
    [InlineData("example.com:8480", "not an IP address")]
    [InlineData("127.0.0.1:70000", "port")]
    [InlineData("::1:8480", "brackets")]
    public void Flag_BadAddress_OneError(string value, string expected)
    {
        var flags = new StartupFlags(() => "host", _ => null);

        var parse = flags.Parse(["--web", value]);

        parse.Errors.Should().ContainSingle().Which.Message.Should().StartWith("--web: ").And.Contain(expected);
    }

    [Fact]
    public void WebFlags_WithoutWeb_Warn()
    {
        var flags = new StartupFlags(() => "host", _ => null);

        var alone = flags.Parse(["--web-allow-remote", "--new-web-token"]);
        var beside = flags.Parse(["--web", "--web-allow-remote", "--new-web-token"]);

        InertFlags.Warnings(flags, alone).Should().Equal(
            "--web-allow-remote has no effect without --web", "--new-web-token has no effect without --web");
        InertFlags.Warnings(flags, beside).Should().BeEmpty();
    }

    private static (string BaseUrl, string Token) Split(string line)
    {
        var url = line["dashboard: ".Length..];
        var at = url.IndexOf("?token=", StringComparison.Ordinal);
        return (url[..at], url[(at + "?token=".Length)..]);
    }
}
