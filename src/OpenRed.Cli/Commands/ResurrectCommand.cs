using System.CommandLine;

namespace OpenRed.Cli.Commands;

/// <summary>
/// Stands in for URN resolution until the Phoenix subsystem exists, so that the word the original demo taught
/// says why nothing happens instead of being an unknown command.
/// </summary>
internal sealed class ResurrectCommand : IReplCommand
{
    public const string NotAvailable = "URN resolution is not available yet (it arrives with the Phoenix subsystem); nothing was resolved";

    private readonly Argument<string[]> _urn = new("urn")
    {
        Description = "The URN to resolve: name or name@fingerprint-prefix",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public string Name => "resurrect";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "Resolve a URN: resurrect <urn> (not available yet)";

    public Command BuildSyntax() => new(Name, Description) { _urn };

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken ct) =>
        throw new CommandException(NotAvailable);
}
