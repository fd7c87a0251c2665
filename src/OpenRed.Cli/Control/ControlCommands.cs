using Microsoft.Extensions.Logging;
using OpenRed.Cli.Rendering;
using OpenRed.Cli.Repl;
using OpenRed.Core;
using Spectre.Console;

namespace OpenRed.Cli.Control;

/// <summary>
/// Runs prompt lines for the API through the prompt's own path (<see cref="ReplSession"/> and the command table),
/// so a command added once works at the terminal, in <c>ctl</c>, in <c>attach</c> and here. Each run writes into
/// its own buffers, so concurrent runs never interleave their output.
/// </summary>
internal sealed class ControlCommands : IDisposable
{
    private readonly OpenRedNode _node;
    private readonly CommandRegistry _commands;
    private readonly ILogger<ReplSession> _logger;
    private readonly SemaphoreSlim _slots;

    public ControlCommands(OpenRedNode node, CommandRegistry commands, ILoggerFactory loggers, int maxConcurrent)
    {
        _node = node;
        _commands = commands;
        _logger = loggers.CreateLogger<ReplSession>();
        _slots = new SemaphoreSlim(maxConcurrent, maxConcurrent);
    }

    public CommandRegistry Table => _commands;

    /// <summary>
    /// Runs one line. <paramref name="interrupted"/> stops the command as Ctrl+C does at the prompt (the client gave
    /// up); <paramref name="cancellationToken"/> is the node stopping.
    /// </summary>
    public async Task<CommandResponse> RunAsync(CommandRequest request, CancellationToken interrupted, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var session = new ReplSession(_node, _commands, ConsoleFor(stdout, request), stderr, _logger);
            using var interrupt = interrupted.Register(session.InterruptCommand);
            var code = await session.ExecuteAsync(request.Line!, cancellationToken);
            return new CommandResponse(code, stdout.ToString(), stderr.ToString(), session.QuitRequested);
        }
        finally
        {
            _slots.Release();
        }
    }

    public IReadOnlyList<string> Complete(IReadOnlyList<string> words, string prefix)
    {
        using var stdout = new StringWriter();
        var session = new ReplSession(_node, _commands, Consoles.Create(stdout, plain: true), TextWriter.Null, _logger);
        return [.. session.Complete(words, prefix)];
    }

    public void Dispose() => _slots.Dispose();

    // Without a width: the piped prompt's plain output, which ctl prints. With one: a terminal's, for attach.
    private static IAnsiConsole ConsoleFor(TextWriter output, CommandRequest request)
    {
        if (request.Width is not { } width)
        {
            return Consoles.Create(output, plain: true);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = request.Ansi ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = request.Ansi ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = Math.Clamp(width, 20, 1000);
        return console;
    }
}
