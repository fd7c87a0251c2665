using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenRed.Cli.Control;
using OpenRed.Cli.Logging;
using OpenRed.Cli.Repl;
using OpenRed.Core;

namespace OpenRed.Cli.Web;

/// <summary>
/// The dashboard: a second Kestrel listener, on TCP (loopback unless <c>--web-allow-remote</c>), serving the embedded
/// pages and the control socket's own API (<see cref="ControlApi"/>) plus the page-only endpoints
/// (<see cref="WebEndpoints"/>), all behind <see cref="WebAuth"/>. Started after the node and stopped before it,
/// as the control socket.
/// </summary>
internal sealed partial class WebServer : IAsyncDisposable
{
    // For `status`: commands see the node, not the executable's parts.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<OpenRedNode, WebAddress> Running = [];

    private readonly OpenRedNode _node;
    private readonly WebApplication _app;
    private readonly ControlCommands _commands;
    private readonly CancellationTokenSource _stopping;
    private readonly WebOptions _options;

    private WebServer(
        OpenRedNode node, WebApplication app, ControlCommands commands, CancellationTokenSource stopping, WebOptions options, WebAddress address, WebToken token)
    {
        _node = node;
        _app = app;
        _commands = commands;
        _stopping = stopping;
        _options = options;
        Address = address;
        Token = token;
    }

    public WebAddress Address { get; }

    /// <summary>The dashboard serving <paramref name="node"/>, if one runs in this process.</summary>
    public static WebAddress? AddressOf(OpenRedNode node) => Running.TryGetValue(node, out var address) ? address : null;

    public WebToken Token { get; }

    /// <summary>The line printed at start: the link that opens the dashboard and sets its cookie.</summary>
    public string StartLine => $"dashboard: {Address.BaseUrl}?token={Token.Value}";

    /// <exception cref="WebListenerException">The token cannot be kept, or the address cannot be bound; one line says why.</exception>
    public static async Task<WebServer> StartAsync(
        OpenRedNode node,
        CommandRegistry commands,
        ILoggerFactory loggers,
        LogRing? log,
        Action<string> requestShutdown,
        WebOptions options,
        bool newToken,
        CancellationToken cancellationToken)
    {
        if (!options.AllowRemote && !IPAddress.IsLoopback(options.EndPoint.Address))
        {
            throw new WebListenerException($"{WebAddress.HostPort(options.EndPoint.Address, options.EndPoint.Port)} is not a loopback address; add --web-allow-remote to listen there");
        }

        var token = WebToken.LoadOrCreate(node.DataDirectory.Root, newToken);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = "openred",
            ContentRootPath = node.DataDirectory.Root,
        });
        builder.Logging.AddProvider(new ControlServer.ForwardingLoggerProvider(loggers));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // A bind failure is told once, as one line (WebListenerException); the host's own "failed to start" is noise.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Services.AddSingleton<IHostLifetime, ControlServer.NoSignalsLifetime>();
        builder.Services.AddRoutingCore();
        var api = options.Api;
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            ControlServer.ApplyLimits(kestrel.Limits, api);
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Listen(options.EndPoint);
        });

        var app = builder.Build();
        var stopping = new CancellationTokenSource();
        var table = new ControlCommands(node, commands, loggers, api.MaxConcurrentCommands);
        var logger = loggers.CreateLogger<WebServer>();
        var controlApi = new ControlApi(node, table, api, requestShutdown, logger, stopping.Token, "dashboard");

        var auth = new WebAuth(token, logger);
        app.Use(auth.InvokeAsync);
        app.Use(new WebAssets().InvokeAsync);
        new WebEndpoints(node, controlApi, token, options, log, logger, stopping.Token).Map(app);
        controlApi.Map(app);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException or InvalidOperationException)
        {
            await app.DisposeAsync();
            table.Dispose();
            stopping.Dispose();
            throw new WebListenerException($"cannot listen on {WebAddress.HostPort(options.EndPoint.Address, options.EndPoint.Port)}: {Reason(e)}", e);
        }

        var address = new WebAddress(BoundEndPoint(app, options.EndPoint));
        auth.Address = address;
        if (!address.IsLoopback)
        {
            LogRemote(logger, WebAddress.HostPort(address.Bound.Address, address.Bound.Port));
        }

        LogListening(logger, address.BaseUrl);
        Running.AddOrUpdate(node, address);
        return new WebServer(node, app, table, stopping, options, address, token);
    }

    public async ValueTask DisposeAsync()
    {
        Running.Remove(_node);

        // Event streams, progress streams and running commands end first, so stopping does not wait for them.
        await _stopping.CancelAsync();
        using (var timeout = new CancellationTokenSource(_options.Api.ShutdownTimeout))
        {
            await _app.StopAsync(timeout.Token);
        }

        await _app.DisposeAsync();
        _commands.Dispose();
        _stopping.Dispose();
    }

    private static string Reason(Exception e) => e switch
    {
        { InnerException: AddressInUseException } or AddressInUseException => "the address is already in use (another node's dashboard? pick another port: --web 127.0.0.1:<port>)",
        { InnerException: SocketException { SocketErrorCode: SocketError.AddressNotAvailable } } or SocketException { SocketErrorCode: SocketError.AddressNotAvailable } => "no interface of this machine has that address",
        { InnerException: SocketException { SocketErrorCode: SocketError.AccessDenied } } or SocketException { SocketErrorCode: SocketError.AccessDenied } => "not permitted (ports below 1024 need privileges)",
        _ => e.Message,
    };

    private static IPEndPoint BoundEndPoint(WebApplication app, IPEndPoint asked)
    {
        if (asked.Port != 0)
        {
            return asked;
        }

        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
        var port = addresses.Select(a => new Uri(a.Replace("://+", "://0.0.0.0", StringComparison.Ordinal)).Port).FirstOrDefault();
        return new IPEndPoint(asked.Address, port);
    }

    [LoggerMessage(EventId = 920, Level = LogLevel.Information, Message = "Dashboard listening on {Url}")]
    private static partial void LogListening(ILogger logger, string url);

    [LoggerMessage(EventId = 921, Level = LogLevel.Warning, Message = "Dashboard listening on {Address}, beyond this machine: anyone who reaches it with the token controls this node")]
    private static partial void LogRemote(ILogger logger, string address);
}
