using System.CommandLine;
using System.Globalization;
using OpenRed.Core;
using Spectre.Console;

namespace OpenRed.Cli.Commands;

internal sealed class StatusCommand : IReplCommand
{
    private readonly Option<bool> _json = CommonOptions.Json();

    public string Name => "status";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "Show this node: node-id, fingerprint, sector, port, data directory, uptime, counts";

    public Command BuildSyntax() => new(Name, Description) { _json };

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken ct)
    {
        var s = context.Node.GetStatus();
        if (context.Json)
        {
            context.WriteJson(StatusJson.From(s));
            return Task.FromResult(0);
        }

        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn(new GridColumn().NoWrap());
        void Row(string key, string value) => grid.AddRow(new Text(key, new Style(decoration: Decoration.Bold)), new Text(value));
        Row("node-id", s.NodeId);
        Row("fingerprint", s.Fingerprint.Short);
        Row("sector", s.Sector);
        Row("tcp port", s.Port.ToString(CultureInfo.InvariantCulture) + (s.ListenAddress == "*" ? "" : $" on {s.ListenAddress}"));
        Row("lighthouse", s.LighthouseEnabled ? "on" : "off");
        Row("data dir", s.DataDirectory);
        Row("uptime", FormatUptime(s.Uptime));
        Row("sessions", s.Sessions.ToString(CultureInfo.InvariantCulture));
        Row("peers", s.Peers.ToString(CultureInfo.InvariantCulture));
        Row("links", s.Links.ToString(CultureInfo.InvariantCulture));
        context.Out.Write(grid);
        return Task.FromResult(0);
    }

    internal static string FormatUptime(TimeSpan t) => t.TotalDays >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalDays}d {t.Hours:00}:{t.Minutes:00}:{t.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{t.Hours:00}:{t.Minutes:00}:{t.Seconds:00}");

    /// <summary>The stable JSON shape of <c>status --json</c>.</summary>
    internal sealed record StatusJson(
        string NodeId,
        string Fingerprint,
        string Sector,
        int TcpPort,
        string ListenAddress,
        bool Lighthouse,
        string DataDir,
        long StartedAtMs,
        long UptimeMs,
        int Sessions,
        int Peers,
        int Links)
    {
        public static StatusJson From(NodeStatus s) => new(
            s.NodeId,
            s.Fingerprint.Hex,
            s.Sector,
            s.Port,
            s.ListenAddress,
            s.LighthouseEnabled,
            s.DataDirectory,
            s.StartedAt.ToUnixTimeMilliseconds(),
            (long)s.Uptime.TotalMilliseconds,
            s.Sessions,
            s.Peers,
            s.Links);
    }
}
