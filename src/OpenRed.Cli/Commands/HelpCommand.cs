using System.CommandLine;
using Spectre.Console;

namespace OpenRed.Cli.Commands;

internal sealed class HelpCommand : IReplCommand
{
    private readonly Argument<string?> _command = new("command")
    {
        Description = "A command to explain in detail",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public string Name => "help";

    public IReadOnlyList<string> Aliases => ["?"];

    public string Description => "List the commands, or explain one: help <command>";

    public Command BuildSyntax() => new(Name, Description) { _command };

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var name = parse.GetValue(_command);
        if (name is not null)
        {
            if (!context.Commands.TryFind(name, out var command))
            {
                throw new CommandException(context.Commands.UnknownCommandMessage(name));
            }

            context.WriteRaw(context.Commands.HelpText(command));
            return Task.FromResult(0);
        }

        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        foreach (var c in context.Commands.All)
        {
            var aliases = c.Aliases.Count == 0 ? "" : $" ({string.Join(", ", c.Aliases)})";
            grid.AddRow(new Text(c.Name + aliases, new Style(decoration: Decoration.Bold)), new Text(c.Description));
        }

        context.Out.Write(grid);
        context.WriteRaw("Type 'help <command>' or '<command> --help' for details.\n");
        return Task.FromResult(0);
    }
}
