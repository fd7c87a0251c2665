using System.CommandLine;
using OpenRed.Core.Phoenix;

namespace OpenRed.Cli.Commands;

/// <summary>Stops publishing a URN of this node.</summary>
internal sealed class UnpublishCommand : IReplCommand
{
    private readonly Argument<string> _urn = new("urn") { Description = "The name of a URN this node published" };

    public string Name => "unpublish";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "Stop publishing a URN of this node: unpublish <urn>";

    public Command BuildSyntax() => new(Name, Description) { _urn };

    public async Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var urn = parse.GetValue(_urn)!;
        bool removed;
        try
        {
            removed = await context.Node.Phoenix.UnpublishAsync(urn, cancellationToken);
        }
        catch (PhoenixException e)
        {
            throw new CommandException(e.Message, e);
        }

        if (!removed)
        {
            throw new CommandException($"this node publishes no URN named {urn.Trim().ToLowerInvariant()}; see 'urns'");
        }

        context.WriteRaw($"unpublished {urn.Trim().ToLowerInvariant()} (replicas on other nodes keep their copies)\n");
        return 0;
    }
}
