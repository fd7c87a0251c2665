using System.CommandLine;
using OpenRed.Cli.Rendering;
using OpenRed.Core.Identity;
using OpenRed.Core.Text;

namespace OpenRed.Cli.Commands;

/// <summary>
/// Trusts a linked fingerprint for its node-id, as accepting a changed host key in ssh: after it, that fingerprint
/// is the one the node-id is checked against, and the one pinned before would be flagged.
/// </summary>
internal sealed class PinCommand : IReplCommand
{
    private readonly Argument<string> _fingerprint = new("fingerprint")
    {
        Description = "The link's fingerprint: all 64 hex digits, or a prefix of 8 or more that names one link",
    };

    private readonly Option<bool> _json = CommonOptions.Json();

    public string Name => "pin";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "Trust a linked fingerprint for its node-id (after checking it with its owner): pin <fingerprint>";

    public Command BuildSyntax() => new(Name, Description) { _fingerprint, _json };

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var text = parse.GetValue(_fingerprint)!.Trim();
        if (text.Length < Fingerprint.MinPrefixHexDigits || !text.All(Uri.IsHexDigit))
        {
            throw new CommandException($"{Echo.Quote(text)} is not a fingerprint or a prefix of at least {Fingerprint.MinPrefixHexDigits} hex digits");
        }

        var matches = context.Node.GetLinks().Where(l => l.Fingerprint.MatchesPrefix(text)).ToList();
        var link = matches.Count switch
        {
            1 => matches[0],
            0 => throw new CommandException($"no link has a fingerprint starting with {text}; see 'links'"),
            _ => throw new CommandException($"{text} matches {matches.Count} links; type more digits"),
        };

        context.Node.PinLink(link.Fingerprint);
        if (context.Json)
        {
            context.WriteJson(new PinJson(true, link.NodeId, link.Fingerprint.Hex));
        }
        else
        {
            context.WriteRaw($"Pinned {PeerText.Name(link.NodeId, link.Fingerprint)}: node-id {VisibleText.Escape(link.NodeId)} is now checked against fingerprint {link.Fingerprint.Hex}.\n");
        }

        return Task.FromResult(0);
    }

    internal sealed record PinJson(bool Pinned, string NodeId, string Fingerprint);
}
