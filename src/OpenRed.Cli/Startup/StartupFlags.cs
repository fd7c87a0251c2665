using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;
using OpenRed.Cli.Web;
using OpenRed.Core;
using OpenRed.Core.Identity;
using OpenRed.Core.Storage;
using Serilog.Events;

namespace OpenRed.Cli.Startup;

/// <summary>
/// The flags of <c>openred</c>. Every value is parsed here into its final type so that an error is one line
/// naming the flag; flags for subsystems that do not exist yet are parsed and stored in <see cref="NodeOptions"/>.
/// </summary>
internal sealed class StartupFlags
{
    public const int MaxPeersMin = 8;
    public const int MaxPeersMax = 1024;

    private static readonly Dictionary<string, LogEventLevel> LogLevels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["verbose"] = LogEventLevel.Verbose,
        ["debug"] = LogEventLevel.Debug,
        ["information"] = LogEventLevel.Information,
        ["warning"] = LogEventLevel.Warning,
        ["error"] = LogEventLevel.Error,
    };

    private readonly Func<string> _hostName;
    private readonly Func<string, string?> _environment;

    public StartupFlags(Func<string>? hostName = null, Func<string, string?>? environment = null)
    {
        _hostName = hostName ?? (() => Environment.MachineName);
        _environment = environment ?? Environment.GetEnvironmentVariable;

        NodeId = Single<string>("--node-id", "<id>", "Human label of this node (not unique, not trusted). Default: the host name, cleaned",
            FlagValues.NodeId);
        Port = SingleValue("--port", "<port>", "TCP port to listen on; 0 lets the system choose", FlagValues.Port, NodeOptions.DefaultPort);
        Listen = Single<IPAddress>("--listen", "<ip>", "Address the TCP listener binds. Default: all", FlagValues.IpAddress);
        Sector = Single<string>("--sector", "<sector>", "Sector (1–32 of a–z 0–9 _ -); nodes auto-connect within their sector",
            FlagValues.Sector, NodeLabels.DefaultSector);
        DataDir = Single<string>("--data-dir", "<path>",
            "Data directory: key, database, logs. Default: $XDG_DATA_HOME/openred/<node-id>, else ~/.local/share/openred/<node-id>",
            NonEmptyPath);
        AutoResurrect = Many<string>("--auto-resurrect", "<urn>", "URN to resolve at start (repeatable); name or name@fingerprint-prefix",
            FlagValues.Urn);
        Bootstrap = Many<DnsEndPoint>("--bootstrap", "<host:port>", "Node to dial at start to find peers beyond the LAN (repeatable)",
            FlagValues.HostPort);
        LighthouseGroup = Single("--lighthouse-group", "<ipv4>", "IPv4 multicast group of the lighthouse",
            FlagValues.Ipv4Multicast, NodeOptions.DefaultLighthouseGroup);
        LighthousePort = SingleValue("--lighthouse-port", "<port>", "UDP port of the lighthouse",
            (string t, out string? e) => FlagValues.IntInRange(t, 1, 65535, out e), NodeOptions.DefaultLighthousePort);
        Interface = Single<IPAddress>("--interface", "<ipv4>", "IPv4 address whose interface carries multicast. Default: the system's choice",
            FlagValues.Ipv4);
        BeaconInterval = SingleValue("--beacon-interval", "<seconds>", "Seconds between lighthouse beacons (1–3600)",
            (string t, out string? e) => FlagValues.IntInRange(t, 1, 3600, out e), (int)NodeOptions.DefaultBeaconInterval.TotalSeconds);
        NoLighthouse = new Option<bool>("--no-lighthouse") { Description = "Do not send or listen for UDP beacons" };
        Replicas = SingleValue("--replicas", "<n>", "Copies of each published URN kept on other nodes (1–16)",
            (string t, out string? e) => FlagValues.IntInRange(t, 1, 16, out e), NodeOptions.DefaultReplicas);
        CacheSize = SingleValue("--cache-size", "<size>", "Space for cached chunks: bytes, or with K, M, G (binary: 500M, 2G)",
            (string t, out string? e) => FlagValues.Size(t, 1L << 20, out e), NodeOptions.DefaultCacheSizeBytes, "1G");
        MaxPeers = SingleValue("--max-peers", "<n>", $"Most sessions at once, inbound and outbound ({MaxPeersMin}–{MaxPeersMax})",
            (string t, out string? e) => FlagValues.IntInRange(t, MaxPeersMin, MaxPeersMax, out e), NodeOptions.DefaultMaxPeers);
        LogLevel = SingleValue("--log-level", "<level>", "Log file detail: verbose, debug, information, warning, error (stderr shows warnings and errors)",
            ParseLogLevel, LogEventLevel.Information, "information");
        NoPeerExchange = new Option<bool>("--no-peer-exchange")
        {
            Description = "Unlisted: tell peers in the handshake not to pass this node's address on to others",
        };
        Daemon = new Option<bool>("--daemon") { Description = "No prompt; run until SIGTERM" };
        NewIdentity = new Option<bool>("--new-identity")
        {
            Description = "Accept a new identity when identity.pem is missing beside an existing database (peers' links to this node break)",
        };

        Web = new Option<IPEndPoint>("--web")
        {
            Description = $"Serve the web dashboard on <ip:port> (or a port alone); loopback only unless --web-allow-remote [default: {WebOptions.DefaultEndPoint}]",
            HelpName = "ip:port",
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = r => r.Tokens.Count == 0 ? WebOptions.DefaultEndPoint : ParseOne<IPEndPoint>(r, "--web", FlagValues.ListenEndPoint),
        };
        WebAllowRemote = new Option<bool>("--web-allow-remote")
        {
            Description = "Let --web bind an address other machines reach (anyone who reaches it with the token controls this node)",
        };
        NewWebToken = new Option<bool>("--new-web-token") { Description = "Replace the dashboard's token: links printed before stop working" };

        Root = new RootCommand("OpenRed: a serverless peer-to-peer node. Without --daemon it opens the prompt `OpenRed-P2P> `; type 'help' there.\n"
            + "A running node, from elsewhere: 'openred ctl [--node-id <id> | --data-dir <path>] <command>' runs one prompt command on it, "
            + "'openred attach [--node-id <id> | --data-dir <path>]' opens its prompt (see 'openred ctl --help').")
        {
            NodeId, Port, Listen, Sector, DataDir, AutoResurrect, Bootstrap, LighthouseGroup, LighthousePort, Interface,
            BeaconInterval, NoLighthouse, Replicas, CacheSize, MaxPeers, NoPeerExchange, LogLevel, Daemon, NewIdentity,
            Web, WebAllowRemote, NewWebToken,
        };
        Root.Validators.Add(RemoteNeedsConsent);
    }

    private delegate T? ValueParser<T>(string text, out string? error);

    private delegate T? StructParser<T>(string text, out string? error)
        where T : struct;

    public RootCommand Root { get; }

    public Option<string> NodeId { get; }

    public Option<int> Port { get; }

    public Option<IPAddress> Listen { get; }

    public Option<string> Sector { get; }

    public Option<string> DataDir { get; }

    public Option<string[]> AutoResurrect { get; }

    public Option<DnsEndPoint[]> Bootstrap { get; }

    public Option<IPAddress> LighthouseGroup { get; }

    public Option<int> LighthousePort { get; }

    public Option<IPAddress> Interface { get; }

    public Option<int> BeaconInterval { get; }

    public Option<bool> NoLighthouse { get; }

    public Option<int> Replicas { get; }

    public Option<long> CacheSize { get; }

    public Option<int> MaxPeers { get; }

    public Option<LogEventLevel> LogLevel { get; }

    public Option<bool> Daemon { get; }

    public Option<bool> NoPeerExchange { get; }

    public Option<bool> NewIdentity { get; }

    public Option<IPEndPoint> Web { get; }

    public Option<bool> WebAllowRemote { get; }

    public Option<bool> NewWebToken { get; }

    /// <summary>Response files are off: a node-id or chat text may start with '@'.</summary>
    public static ParserConfiguration Configuration { get; } = new() { ResponseFileTokenReplacer = null, EnablePosixBundling = false };

    public ParseResult Parse(IReadOnlyList<string> args) => Root.Parse(args, Configuration);

    /// <summary>Builds the options from a parse without errors.</summary>
    public StartupOptions ToOptions(ParseResult parse)
    {
        var givenNodeId = parse.GetValue(NodeId);
        var nodeId = givenNodeId ?? NodeLabels.NodeIdFromHostName(_hostName());
        var dataDir = parse.GetValue(DataDir) ?? DataDirectory.DefaultFor(nodeId, _environment);
        var node = new NodeOptions
        {
            NodeId = nodeId,
            // Without the flag, the data directory's remembered value wins over these fallbacks.
            NodeIdIsFallback = givenNodeId is null,
            Sector = parse.GetValue(Sector)!,
            SectorIsFallback = parse.GetResult(Sector) is null or { Implicit: true },
            AcceptNewIdentity = parse.GetValue(NewIdentity),
            DataDirectory = Path.GetFullPath(dataDir),
            Port = parse.GetValue(Port),
            ListenAddress = parse.GetValue(Listen),
            Bootstrap = parse.GetValue(Bootstrap) ?? [],
            AutoResurrect = parse.GetValue(AutoResurrect) ?? [],
            LighthouseEnabled = !parse.GetValue(NoLighthouse),
            LighthouseGroup = parse.GetValue(LighthouseGroup)!,
            LighthousePort = parse.GetValue(LighthousePort),
            LighthouseInterface = parse.GetValue(Interface),
            BeaconInterval = TimeSpan.FromSeconds(parse.GetValue(BeaconInterval)),
            Replicas = parse.GetValue(Replicas),
            CacheSizeBytes = ValueOr(parse, CacheSize, NodeOptions.DefaultCacheSizeBytes),
            MaxPeers = parse.GetValue(MaxPeers),
            Unlisted = parse.GetValue(NoPeerExchange),
        };
        var web = parse.GetResult(Web) is { Implicit: false }
            ? new WebOptions { EndPoint = parse.GetValue(Web) ?? WebOptions.DefaultEndPoint, AllowRemote = parse.GetValue(WebAllowRemote) }
            : null;
        return new StartupOptions(node, parse.GetValue(Daemon), ValueOr(parse, LogLevel, LogEventLevel.Information), web, parse.GetValue(NewWebToken));
    }

    // A dashboard reachable from other machines is a remote control of this node: only when asked for in so many words.
    private void RemoteNeedsConsent(CommandResult result)
    {
        if (result.GetResult(Web) is not { Implicit: false })
        {
            return;
        }

        IPEndPoint? endPoint;
        try
        {
            endPoint = result.GetValue(Web);
        }
        catch (InvalidOperationException)
        {
            // The value itself is wrong: that error is the one to show.
            return;
        }

        if (endPoint is not null && !IPAddress.IsLoopback(endPoint.Address) && !result.GetValue(WebAllowRemote))
        {
            result.AddError($"--web: {WebAddress.HostPort(endPoint.Address, endPoint.Port)} is not a loopback address; "
                + "add --web-allow-remote to listen there (anyone who reaches it with the token controls this node)");
        }
    }

    private static T ValueOr<T>(ParseResult parse, Option<T> option, T fallback) =>
        parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option)! : fallback;

    private static LogEventLevel? ParseLogLevel(string text, out string? error)
    {
        if (LogLevels.TryGetValue(text, out var level))
        {
            error = null;
            return level;
        }

        error = $"'{text}' is not one of verbose, debug, information, warning, error";
        return null;
    }

    private static string? NonEmptyPath(string text, out string? error)
    {
        error = text.Length == 0 || text.Contains('\0', StringComparison.Ordinal) ? "needs a path" : null;
        return error is null ? text : null;
    }

    // The help shows the default; the parser turns the one token into T or adds one error naming the flag.
    private static Option<T> Single<T>(string name, string helpName, string description, ValueParser<T> parse, T? defaultValue = default, string? shownDefault = null)
    {
        var option = new Option<T>(name)
        {
            Description = description,
            HelpName = helpName.Trim('<', '>'),
            CustomParser = r => ParseOne(r, name, parse),
        };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }

        if (shownDefault is not null)
        {
            // The factory's value would show as a raw number or enum name; ToOptions applies the default instead.
            option.Description += $" [default: {shownDefault}]";
            option.DefaultValueFactory = null;
        }

        return option;
    }

    private static Option<T> SingleValue<T>(string name, string helpName, string description, StructParser<T> parse, T defaultValue, string? shownDefault = null)
        where T : struct =>
        Single(name, helpName, description, (string t, out string? e) => parse(t, out e) ?? default, defaultValue, shownDefault);

    private static T? ParseOne<T>(ArgumentResult r, string name, ValueParser<T> parse)
    {
        if (r.Tokens.Count == 0)
        {
            return default;
        }

        var value = parse(r.Tokens[^1].Value, out var error);
        if (error is not null)
        {
            r.AddError($"{name}: {error}");
        }

        return value;
    }

    private static Option<T[]> Many<T>(string name, string helpName, string description, ValueParser<T> parse) => new(name)
    {
        Description = description,
        HelpName = helpName.Trim('<', '>'),
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
        CustomParser = r =>
        {
            var values = new List<T>();
            foreach (var token in r.Tokens)
            {
                var value = parse(token.Value, out var error);
                if (error is not null)
                {
                    r.AddError($"{name}: {error}");
                    return [];
                }

                values.Add(value!);
            }

            return [.. values];
        },
    };
}
