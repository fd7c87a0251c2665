using OpenRed.Core;
using Serilog.Events;

namespace OpenRed.Cli.Startup;

/// <summary>What the flags asked for: the node's options plus what only the executable cares about.</summary>
internal sealed record StartupOptions(NodeOptions Node, bool Daemon, LogEventLevel LogLevel);
