using System.CommandLine;

namespace OpenRed.Cli.Commands;

internal sealed class QuitCommand : IReplCommand
{
    public string Name => "quit";

    public IReadOnlyList<string> Aliases => ["exit"];

    public string Description => "Shut the node down cleanly and leave";

    public Command BuildSyntax() => new(Name, Description);

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        context.RequestQuit();
        return Task.FromResult(0);
    }
}
