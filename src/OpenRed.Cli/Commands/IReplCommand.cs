using System.CommandLine;

namespace OpenRed.Cli.Commands;

/// <summary>
/// One command of the prompt. A new command is one new file with a sealed class implementing this interface
/// and a public parameterless constructor: <see cref="Repl.CommandRegistry"/> finds it by reflection.
/// </summary>
internal interface IReplCommand
{
    /// <summary>The word typed at the prompt, lowercase.</summary>
    string Name { get; }

    IReadOnlyList<string> Aliases { get; }

    /// <summary>One line for <c>help</c>.</summary>
    string Description { get; }

    /// <summary>
    /// The syntax, parsed with System.CommandLine; the command is the root of its own parse, so the name is
    /// not among the tokens. Add <see cref="CommonOptions.Json"/> to support <c>--json</c>; help is added for you.
    /// </summary>
    Command BuildSyntax();

    /// <summary>Runs the command; 0 when it succeeded. Throw <see cref="CommandException"/> for a one-line failure.</summary>
    Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken);
}
