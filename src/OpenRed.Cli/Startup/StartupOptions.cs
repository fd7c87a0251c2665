using OpenRed.Cli.Web;
using OpenRed.Core;
using Serilog.Events;

namespace OpenRed.Cli.Startup;

/// <summary>What the flags asked for: the node's options plus what only the executable cares about.</summary>
/// <param name="Web">The dashboard's listener (<c>--web</c>); null without the flag.</param>
/// <param name="NewWebToken"><c>--new-web-token</c>: replace the dashboard's kept token.</param>
internal sealed record StartupOptions(NodeOptions Node, bool Daemon, LogEventLevel LogLevel, WebOptions? Web = null, bool NewWebToken = false);
