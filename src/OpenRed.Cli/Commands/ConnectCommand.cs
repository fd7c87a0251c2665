using System.CommandLine;
using OpenRed.Cli.Rendering;
using OpenRed.Cli.Startup;
using OpenRed.Core;
using OpenRed.Core.Identity;
using OpenRed.Core.Mesh;
using OpenRed.Core.Node;
using OpenRed.Core.Text;

namespace OpenRed.Cli.Commands;

/// <summary>Dials a peer and waits for the handshake: an authenticated, encrypted session or one line saying why not.</summary>
internal sealed class ConnectCommand : IReplCommand, ICompletingCommand
{
    // Beyond the connect timeout and the handshake deadline, which the mesh enforces: only a safety margin.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(2);

    private readonly Argument<string> _address = new("host:port")
    {
        Description = "Where the peer listens: host:port, 1.2.3.4:port or [v6]:port",
    };

    private readonly Option<string?> _expect = new("--expect")
    {
        Description = "Accept only this fingerprint: 64 hex digits, or a prefix (8+) of a fingerprint seen before",
        HelpName = "fingerprint",
    };

    private readonly Option<bool> _json = CommonOptions.Json();

    public string Name => "connect";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "Open a session with a peer: connect <host:port> [--expect <fingerprint>]";

    public Command BuildSyntax() => new(Name, Description) { _address, _expect, _json };

    public async Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var text = parse.GetValue(_address)!;
        var target = FlagValues.HostPort(text, out var error) ?? throw new CommandException(
            System.Net.IPAddress.TryParse(text, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? $"'{text}' is not host:port; write an IPv6 address in brackets: [addr]:port"
                : error!);
        var node = context.Node;
        var expected = parse.GetValue(_expect) is { } e ? ResolveExpected(node, e) : null;

        var mesh = node.Options.EffectiveMesh;
        var limit = mesh.ConnectTimeout + mesh.Handshake.Total + Margin;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(limit);
        SessionInfo session;
        try
        {
            session = await node.ConnectAsync(target.Host, target.Port, expected, bounded.Token);
        }
        catch (ConnectException x)
        {
            throw new CommandException(x.Message, x);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CommandException($"{text}: no session within {limit.TotalSeconds:0} s");
        }

        var (address, port) = PeerText.ListenAddress(session);
        if (context.Json)
        {
            context.WriteJson(new ConnectJson(
                true, session.NodeId, session.Fingerprint.Hex, address.ToString(), port, PeerText.Direction(session.Direction)));
        }
        else
        {
            context.WriteRaw($"Connected to {PeerText.Name(session.NodeId, session.Fingerprint)} at "
                + $"{PeerText.Endpoint(address, port)}, {PeerText.Direction(session.Direction)}, sector {VisibleText.Escape(session.Sector)}.\n"
                + $"Fingerprint {session.Fingerprint.Hex}\n");
            if (session.ImpersonationWarning)
            {
                context.WriteRaw($"POSSIBLE IMPERSONATION: node-id {VisibleText.Escape(session.NodeId)} was linked before to another fingerprint; see 'links'.\n");
            }
        }

        return 0;
    }

    /// <summary>Addresses of known links, to save typing them again.</summary>
    public IEnumerable<string> Complete(CommandContext context, IReadOnlyList<string> words, string prefix)
    {
        if (words.Count != 1)
        {
            return [];
        }

        return context.Node.GetLinks()
            .Where(l => l.Port > 0 && System.Net.IPAddress.TryParse(l.Address, out _))
            .Select(l => PeerText.Endpoint(System.Net.IPAddress.Parse(l.Address), l.Port))
            .Where(a => a.StartsWith(prefix, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
    }

    /// <summary>A full fingerprint as is; a prefix must name exactly one fingerprint among links and peers heard.</summary>
    internal static Fingerprint ResolveExpected(OpenRedNode node, string text)
    {
        if (Fingerprint.TryParseHex(text.ToLowerInvariant(), out var full))
        {
            return full!;
        }

        if (text.Length < Fingerprint.MinPrefixHexDigits || !text.All(Uri.IsHexDigit))
        {
            throw new CommandException(
                $"--expect: '{text}' is not a fingerprint (64 hex digits) or a prefix of at least {Fingerprint.MinPrefixHexDigits} hex digits");
        }

        var known = node.GetLinks().Select(l => (l.Fingerprint, l.NodeId))
            .Concat(node.GetConstellation().Peers.Select(p => (p.Fingerprint, p.NodeId)))
            .Where(k => k.Fingerprint.MatchesPrefix(text))
            .DistinctBy(k => k.Fingerprint)
            .ToList();
        return known.Count switch
        {
            1 => known[0].Fingerprint,
            0 => throw new CommandException($"--expect: no link or peer heard has a fingerprint starting with {text}; give all 64 hex digits"),
            _ => throw new CommandException(
                $"--expect: {text} matches {known.Count} fingerprints ({string.Join(", ", known.Select(k => PeerText.Name(k.NodeId, k.Fingerprint)))}); type more digits"),
        };
    }

    internal sealed record ConnectJson(bool Connected, string NodeId, string Fingerprint, string Address, int TcpPort, string Direction);
}
