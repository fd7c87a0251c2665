using System.CommandLine;
using System.Globalization;
using OpenRed.Cli.Rendering;
using OpenRed.Core.Phoenix;

namespace OpenRed.Cli.Commands;

/// <summary>Publishes a file as a URN: stored chunk by chunk, signed, offered to the replicas; says how many acknowledged.</summary>
internal sealed class PublishCommand : IReplCommand
{
    private readonly Argument<string> _file = new("file") { Description = "The file to publish" };

    private readonly Argument<string?> _name = new("name")
    {
        Description = "The URN name (default: the file name, cleaned): 1–128 characters of a-z, 0-9 and _ . : -",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<string?> _type = new("--type")
    {
        Description = "Media type (default: guessed from the extension)",
        HelpName = "media/type",
    };

    private readonly Option<bool> _json = CommonOptions.Json();

    public string Name => "publish";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "Publish a file as a URN and replicate it: publish <file> [name] [--type <media/type>]";

    public Command BuildSyntax() => new(Name, Description) { _file, _name, _type, _json };

    public async Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        PublishResult r;
        try
        {
            r = await context.Node.Phoenix.PublishAsync(parse.GetValue(_file)!, parse.GetValue(_name), parse.GetValue(_type), cancellationToken);
        }
        catch (PhoenixException e)
        {
            throw new CommandException(e.Message, e);
        }

        if (context.Json)
        {
            context.WriteJson(new PublishJson(
                r.Name, r.Publisher.Hex, r.Version, r.MediaType, r.Size, r.ChunkCount, r.ContentId, r.ReplicasWanted,
                [.. r.Replicas.Select(h => new HolderJson(h.Fingerprint.Hex, h.NodeId, h.Chunks))], (long)r.Elapsed.TotalMilliseconds));
            return 0;
        }

        var replicas = string.Create(CultureInfo.InvariantCulture, $"replicas {r.Replicas.Count}/{r.ReplicasWanted}")
            + (r.Replicas.Count == 0 ? "" : ": " + string.Join(", ", r.Replicas.Select(h => Core.Text.VisibleText.Escape(h.NodeId))));
        context.WriteRaw(string.Create(CultureInfo.InvariantCulture,
            $"published {r.Name} ({PeerText.Bytes((long)r.Size)}, {r.ChunkCount} {(r.ChunkCount == 1 ? "chunk" : "chunks")}) · {replicas}\n"));
        return 0;
    }

    internal sealed record HolderJson(string Fingerprint, string NodeId, int Chunks);

    internal sealed record PublishJson(
        string Name, string Publisher, ulong Version, string MediaType, ulong Size, int ChunkCount, string ContentId, int ReplicasWanted,
        IReadOnlyList<HolderJson> Replicas, long ElapsedMs);
}
