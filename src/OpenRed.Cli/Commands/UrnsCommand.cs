using System.CommandLine;
using System.Globalization;
using OpenRed.Cli.Rendering;
using OpenRed.Core.Phoenix;

namespace OpenRed.Cli.Commands;

/// <summary>The URNs this node holds: name, publisher, version, size, role, live replicas.</summary>
internal sealed class UrnsCommand : IReplCommand
{
    private readonly Option<bool> _json = CommonOptions.Json();

    public string Name => "urns";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "List the URNs this node holds: name, publisher, version, size, role, live replicas (--json)";

    public Command BuildSyntax() => new(Name, Description) { _json };

    public Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var urns = context.Node.Phoenix.ListUrns();
        if (context.Json)
        {
            context.WriteJson(new UrnsJson([.. urns.Select(u => new UrnJson(
                u.Name, u.Publisher.Hex, u.PublisherNodeId, u.Version, u.MediaType, u.Size, Role(u.Role), u.ChunksHeld, u.ChunkCount,
                u.LiveReplicas, u.ContentId, u.SourceChanged, u.AddedAt.ToUnixTimeMilliseconds()))]));
            return Task.FromResult(0);
        }

        if (urns.Count == 0)
        {
            context.WriteRaw("No URNs held: 'publish <file>' to publish one, 'resurrect <urn>' to fetch one.\n");
            return Task.FromResult(0);
        }

        var table = new TextColumns("name", "publisher", "version", "size", "role", "replicas", "held");
        foreach (var u in urns)
        {
            table.Add(
                u.SourceChanged,
                u.Name,
                u.PublisherNodeId is null ? u.Publisher.Short : PeerText.Name(u.PublisherNodeId, u.Publisher),
                u.Version.ToString(CultureInfo.InvariantCulture),
                PeerText.Bytes((long)u.Size),
                Role(u.Role),
                u.LiveReplicas.ToString(CultureInfo.InvariantCulture),
                (u.ChunksHeld == u.ChunkCount ? "all" : string.Create(CultureInfo.InvariantCulture, $"{u.ChunksHeld}/{u.ChunkCount} chunks"))
                    + (u.SourceChanged ? "; source changed: publish again" : ""));
        }

        context.WriteRaw(table.Render(context.Out));
        return Task.FromResult(0);
    }

    internal static string Role(UrnRole role) => role.ToString().ToLowerInvariant();

    internal sealed record UrnsJson(IReadOnlyList<UrnJson> Urns);

    internal sealed record UrnJson(
        string Name, string Publisher, string? PublisherNodeId, ulong Version, string MediaType, ulong Size, string Role, int ChunksHeld,
        int ChunkCount, int LiveReplicas, string ContentId, bool SourceChanged, long AddedMs);
}
