using System.CommandLine;
using System.CommandLine.Help;
using Microsoft.Extensions.Logging;
using OpenRed.Cli.Control;
using OpenRed.Cli.Logging;
using OpenRed.Cli.Rendering;
using OpenRed.Cli.Repl;
using OpenRed.Cli.Startup;
using OpenRed.Cli.Web;
using OpenRed.Core;
using OpenRed.Core.Storage;
using OpenRed.Core.Text;
using Serilog.Context;
using Serilog.Extensions.Logging;

namespace OpenRed.Cli;

/// <summary>The executable from flags to exit code: parse, start the node, run the prompt (or wait), stop.</summary>
internal static partial class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        // Driving a node that runs elsewhere: no node starts here.
        switch (args.FirstOrDefault())
        {
            case "ctl":
                return await CtlApp.RunAsync(args[1..]);
            case "attach":
                return await AttachApp.RunAsync(args[1..]);
        }

        var flags = new StartupFlags();
        var parse = flags.Parse(args);
        if (parse.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync("openred: " + VisibleText.Escape(ParseErrorLine.Format(parse)));
            await Console.Error.WriteLineAsync("Try 'openred --help'.");
            return ExitCodes.Usage;
        }

        if (parse.Action is HelpAction || parse.Action is not null && parse.Action.GetType().Name == "VersionOptionAction")
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }

        var options = flags.ToOptions(parse);
        foreach (var warning in InertFlags.Warnings(flags, parse))
        {
            await Console.Error.WriteLineAsync("openred: warning: " + warning);
        }

        var dataDir = new DataDirectory(options.Node.DataDirectory);
        try
        {
            dataDir.Create();
        }
        catch (StorageException e)
        {
            await Console.Error.WriteLineAsync("openred: " + VisibleText.Escape(e.Message));
            return ExitCodes.Failed;
        }

        // At a prompt, the impersonation warning is printed above the line being typed instead (NodeEventPrinter).
        var ring = options.Web is { } web ? new LogRing(web.LogLines) : null;
        await using var serilog = LogSetup.Create(dataDir.Logs, options.LogLevel, promptShowsEvents: !Console.IsInputRedirected && !options.Daemon, ring);
        using var loggers = new SerilogLoggerFactory(serilog);
        var logger = loggers.CreateLogger("OpenRed.Cli");
        try
        {
            return await RunNodeAsync(options, loggers, logger, ring);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever went wrong, the user gets one line and the log gets the stack.
            using (LogContext.PushProperty(LogSetup.FileOnly, true))
            {
                LogCrashed(logger, e);
            }

            await Console.Error.WriteLineAsync(VisibleText.Escape($"openred: internal error: {e.Message} (details in {dataDir.Logs})"));
            return ExitCodes.Failed;
        }
    }

    private static async Task<int> RunNodeAsync(StartupOptions options, ILoggerFactory loggers, Microsoft.Extensions.Logging.ILogger logger, LogRing? ring)
    {
        var stdinIsTerminal = !Console.IsInputRedirected;
        var interactive = stdinIsTerminal && !options.Daemon;
        using var signals = new ShutdownSignals(TimeProvider.System, interactive);

        OpenRedNode node;
        try
        {
            node = await OpenRedNode.StartAsync(options.Node, loggers, TimeProvider.System, signals.Token);
        }
        catch (NodeStartException e)
        {
            using (LogContext.PushProperty(LogSetup.FileOnly, true))
            {
                LogStartFailed(logger, e.Failure, e.Message);
            }

            await Console.Error.WriteLineAsync("openred: " + VisibleText.Escape(e.Message));
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }

        await using (node)
        {
            var plain = !interactive || Console.IsOutputRedirected;
            var console = Consoles.Create(Console.Out, plain);
            var commands = CommandRegistry.Discover();
            await using var control = await StartControlAsync(node, commands, loggers, signals, logger);
            WebServer? dashboard = null;
            if (options.Web is { } web)
            {
                try
                {
                    dashboard = await WebServer.StartAsync(node, commands, loggers, ring, signals.RequestShutdown, web, options.NewWebToken, signals.Token);
                }
                catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
                {
                    return ExitCodes.Ok;
                }
                catch (WebListenerException e)
                {
                    // Asked for and not there: the node stops rather than run without what the user opens next.
                    using (LogContext.PushProperty(LogSetup.FileOnly, true))
                    {
                        LogNoDashboard(logger, e.Message);
                    }

                    await Console.Error.WriteLineAsync("openred: " + VisibleText.Escape($"no dashboard: {e.Message}"));
                    return ExitCodes.Failed;
                }

                await Console.Out.WriteLineAsync(dashboard.StartLine);
                await Console.Out.FlushAsync();
            }

            await using var stopDashboardFirst = dashboard;
            var session = new ReplSession(node, commands, console, Console.Error, loggers.CreateLogger<ReplSession>());
            signals.CommandInterrupted += session.InterruptCommand;
            if (options.Daemon && stdinIsTerminal)
            {
                // A daemon does not take a terminal's keyboard: it runs until a signal.
                await WaitForShutdownAsync(signals.Token);
            }
            else
            {
                using var reader = CreateReader(interactive, node, session, signals, out var terminal);
                await using var events = interactive ? new NodeEventPrinter(node, reader) : null;
                try
                {
                    await session.RunAsync(reader, quitAtEndOfInput: !options.Daemon, signals.Token);
                }
                finally
                {
                    terminal?.Dispose();
                }
            }

            LogShuttingDown(logger, signals.Reason ?? (session.QuitRequested ? "quit" : "end of input"));
        }

        return ExitCodes.Ok;
    }

    /// <summary>The control socket for ctl and attach; without it the node still runs, and says so once.</summary>
    private static async Task<ControlServer?> StartControlAsync(
        OpenRedNode node, CommandRegistry commands, ILoggerFactory loggers, ShutdownSignals signals, Microsoft.Extensions.Logging.ILogger logger)
    {
        try
        {
            return await ControlServer.StartAsync(node, commands, loggers, signals.RequestShutdown, new ControlOptions(), signals.Token);
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            // Asked to stop while the socket was being set up: the node stops next.
            return null;
        }
        catch (ControlSocketException e)
        {
            using (LogContext.PushProperty(LogSetup.FileOnly, true))
            {
                LogNoControlSocket(logger, e.Message);
            }

            await Console.Error.WriteLineAsync(
                "openred: warning: " + VisibleText.Escape($"no control socket ({e.Message}): 'openred ctl' and 'openred attach' cannot reach this node"));
            return null;
        }
    }

    private static ILineReader CreateReader(bool interactive, OpenRedNode node, ReplSession session, ShutdownSignals signals, out SystemTerminal? terminal)
    {
        if (!interactive)
        {
            terminal = null;
            return new PlainLineReader(Console.In, Console.Out);
        }

        terminal = new SystemTerminal();
        var history = new History(node.DataDirectory.History);
        return new LineEditor(terminal, history, session.Complete, signals.Interrupt);
    }

    private static async Task WaitForShutdownAsync(CancellationToken shutdown)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, shutdown);
        }
        catch (OperationCanceledException)
        {
            // The signal we were waiting for.
        }
    }

    [LoggerMessage(EventId = 901, Level = LogLevel.Error, Message = "Node failed to start ({Failure}): {Reason}")]
    private static partial void LogStartFailed(Microsoft.Extensions.Logging.ILogger logger, NodeStartFailure failure, string reason);

    [LoggerMessage(EventId = 902, Level = LogLevel.Information, Message = "Shutting down: {Reason}")]
    private static partial void LogShuttingDown(Microsoft.Extensions.Logging.ILogger logger, string reason);

    [LoggerMessage(EventId = 904, Level = LogLevel.Warning, Message = "No control socket: {Reason}")]
    private static partial void LogNoControlSocket(Microsoft.Extensions.Logging.ILogger logger, string reason);

    [LoggerMessage(EventId = 905, Level = LogLevel.Error, Message = "No dashboard: {Reason}")]
    private static partial void LogNoDashboard(Microsoft.Extensions.Logging.ILogger logger, string reason);

    [LoggerMessage(EventId = 903, Level = LogLevel.Critical, Message = "Unexpected failure")]
    private static partial void LogCrashed(Microsoft.Extensions.Logging.ILogger logger, Exception e);
}
