using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using Microsoft.Extensions.Logging;
using OpenRed.Cli.Commands;
using OpenRed.Cli.Logging;
using OpenRed.Cli.Startup;
using OpenRed.Core;
using OpenRed.Core.Text;
using Serilog.Context;
using Spectre.Console;

namespace OpenRed.Cli.Repl;

/// <summary>Reads lines, runs them as commands one at a time, and ends at quit, end of input or shutdown.</summary>
internal sealed partial class ReplSession
{
    private readonly OpenRedNode _node;
    private readonly CommandRegistry _commands;
    private readonly IAnsiConsole _out;
    private readonly TextWriter _error;
    private readonly ILogger<ReplSession> _logger;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _running;
    private bool _quit;

    public ReplSession(OpenRedNode node, CommandRegistry commands, IAnsiConsole output, TextWriter error, ILogger<ReplSession> logger)
    {
        _node = node;
        _commands = commands;
        _out = output;
        _error = error;
        _logger = logger;
    }

    /// <summary>
    /// Runs until quit, a shutdown request, or end of input. When <paramref name="quitAtEndOfInput"/> is false
    /// (daemon) the end of input only stops reading, and the node runs on until <paramref name="shutdown"/>.
    /// </summary>
    public async Task RunAsync(ILineReader reader, bool quitAtEndOfInput, CancellationToken shutdown)
    {
        try
        {
            while (!_quit)
            {
                var line = await reader.ReadLineAsync(shutdown);
                if (line is null)
                {
                    if (quitAtEndOfInput)
                    {
                        return;
                    }

                    await Task.Delay(Timeout.Infinite, shutdown);
                }
                else
                {
                    await using (reader.BeginCommand())
                    {
                        await ExecuteAsync(line, shutdown);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            // Shutdown while waiting for a line or running a command: the caller stops the node.
        }
    }

    /// <summary>Runs one line; returns the command's status (0 ok, 1 failed, 2 usage). Failures print one line on stderr.</summary>
    public async Task<int> ExecuteAsync(string line, CancellationToken cancellationToken)
    {
        var word = ReplLine.FirstWord(line);
        if (word.Length == 0 || word.StartsWith('#'))
        {
            return 0;
        }

        if (!_commands.TryFind(word, out var command))
        {
            Fail(_commands.UnknownCommandMessage(word));
            return 2;
        }

        var syntax = _commands.SyntaxOf(command);
        var tokens = ReplLine.Split(ReplLine.RestAfterWords(line, 1));
        var parse = syntax.Parse(tokens, StartupFlags.Configuration);
        if (parse.Action is HelpAction)
        {
            WriteRaw(_commands.HelpText(command));
            return 0;
        }

        if (parse.Errors.Count > 0)
        {
            Fail($"{command.Name}: {ParseErrorLine.Format(parse)}");
            return 2;
        }

        var json = parse.CommandResult.Children.OfType<OptionResult>()
            .Any(o => o.Option.Name == CommonOptions.JsonName && o.GetValueOrDefault<bool>());
        var context = new CommandContext(_node, _out, _error, _commands, line, json, () => _quit = true);
        using var running = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lock (_gate)
        {
            _running = running;
        }

        try
        {
            return await command.RunAsync(parse, context, running.Token);
        }
        catch (Exception) when (running.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: whatever the command made of its cancellation, the user asked for it.
            Fail($"{command.Name}: interrupted");
            return 1;
        }
        catch (CommandException e)
        {
            Fail($"{command.Name}: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The user gets the one line below; the log file gets the stack, and stderr must not get it twice.
            using (LogContext.PushProperty(LogSetup.FileOnly, true))
            {
                LogCommandFailed(_logger, command.Name, e);
            }

            Fail($"{command.Name}: failed: {e.Message} (details in the log)");
            return 1;
        }
        finally
        {
            lock (_gate)
            {
                _running = null;
            }
        }
    }

    /// <summary>Ctrl+C (or SIGINT) that does not quit: cancels the running command, if there is one.</summary>
    public void InterruptCommand()
    {
        lock (_gate)
        {
            _running?.Cancel();
        }
    }

    public bool QuitRequested => _quit;

    /// <summary>Tab completion: command names, then what the command offers (peer names, addresses).</summary>
    public IEnumerable<string> Complete(IReadOnlyList<string> wordsBefore, string prefix)
    {
        var context = new CommandContext(_node, _out, _error, _commands, "", json: false, () => { });
        try
        {
            return _commands.Complete(context, wordsBefore, prefix).ToList();
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            // Completion is a convenience: a busy database offers nothing rather than breaking the prompt.
            return [];
        }
    }

    // Messages echo what was typed and what peers sent: nothing in them may act on the terminal.
    private void Fail(string message)
    {
        _error.WriteLine("openred: " + VisibleText.Escape(message));
        _error.Flush();
    }

    private void WriteRaw(string text)
    {
        _out.Profile.Out.Writer.Write(text);
        _out.Profile.Out.Writer.Flush();
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Error, Message = "Command {Command} failed")]
    private static partial void LogCommandFailed(ILogger logger, string command, Exception e);
}
