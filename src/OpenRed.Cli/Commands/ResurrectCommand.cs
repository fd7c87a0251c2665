using System.CommandLine;
using System.Globalization;
using OpenRed.Cli.Rendering;
using OpenRed.Core.Phoenix;

namespace OpenRed.Cli.Commands;

/// <summary>
/// Resolves a URN (section 8): from the cache, the network or by regeneration at the publisher, and writes the
/// content to a file. Says which stage answered, the time, the size and the holders; on a terminal, a progress
/// bar once it takes longer than a second.
/// </summary>
internal sealed class ResurrectCommand : IReplCommand
{
    private static readonly TimeSpan ProgressAfter = TimeSpan.FromSeconds(1);

    private readonly Argument<string> _urn = new("urn") { Description = "The URN: name, or name@fingerprint-prefix to pick a publisher" };

    private readonly Option<string?> _out = new("--out") { Description = "Where to write the content (default: <data-dir>/resurrected/<name>)", HelpName = "path" };

    private readonly Option<double?> _timeout = new("--timeout") { Description = "Seconds to wait for an answer (default 5)", HelpName = "s" };

    private readonly Option<bool> _json = CommonOptions.Json();

    public string Name => "resurrect";

    public IReadOnlyList<string> Aliases => [];

    public string Description => "Fetch a URN from the cache, the network or its publisher: resurrect <urn>[@fingerprint-prefix] [--out <path>] [--timeout <s>]";

    public Command BuildSyntax() => new(Name, Description) { _urn, _out, _timeout, _json };

    public async Task<int> RunAsync(ParseResult parse, CommandContext context, CancellationToken cancellationToken)
    {
        var seconds = parse.GetValue(_timeout);
        if (seconds is { } s && (double.IsNaN(s) || s < 0.1 || s > 3600))
        {
            throw new CommandException($"--timeout: {s.ToString(CultureInfo.InvariantCulture)} is not in 0.1–3600 seconds");
        }

        var bar = !context.Json && context.Out.Profile.Capabilities.Ansi ? new ProgressLine(context) : null;
        ResurrectResult r;
        try
        {
            var work = context.Node.Phoenix.ResurrectAsync(
                parse.GetValue(_urn)!, parse.GetValue(_out), seconds is null ? null : TimeSpan.FromSeconds(seconds.Value), bar, cancellationToken);
            r = bar is null ? await work : await bar.ShowWhileAsync(work, ProgressAfter, cancellationToken);
        }
        catch (PhoenixException e)
        {
            throw new CommandException(e.Message, e);
        }

        if (context.Json)
        {
            context.WriteJson(new ResurrectJson(
                r.Name, r.Publisher.Hex, r.PublisherNodeId, r.Version, r.MediaType, r.Size, r.ChunkCount, r.ContentId, Stage(r.Stage),
                Math.Round(r.Elapsed.TotalMilliseconds, 1), [.. r.Holders.Select(h => new PublishCommand.HolderJson(h.Fingerprint.Hex, h.NodeId, h.Chunks))],
                r.OutputPath, r.Warning));
            return 0;
        }

        var holders = r.Holders.Count == 1 ? "1 holder" : string.Create(CultureInfo.InvariantCulture, $"{r.Holders.Count} holders");
        context.WriteRaw(string.Create(CultureInfo.InvariantCulture,
            $"resurrected {r.Name} from {Stage(r.Stage)} in {r.Elapsed.TotalMilliseconds:0} ms ({PeerText.Bytes((long)r.Size)} from {holders}) -> {r.OutputPath}\n"));
        if (r.Warning is not null)
        {
            context.WriteRaw("warning: " + Core.Text.VisibleText.Escape(r.Warning) + "\n");
        }

        return 0;
    }

    private static string Stage(ResurrectStage stage) => stage.ToString().ToLowerInvariant();

    internal sealed record ResurrectJson(
        string Name, string Publisher, string? PublisherNodeId, ulong Version, string MediaType, ulong Size, int ChunkCount, string ContentId,
        string Stage, double ElapsedMs, IReadOnlyList<PublishCommand.HolderJson> Holders, string? Path, string? Warning);

    /// <summary>One line redrawn in place on a terminal: bytes held of the total, and holders.</summary>
    private sealed class ProgressLine(CommandContext context) : IProgress<ResurrectProgress>
    {
        private ResurrectProgress? _last;

        public void Report(ResurrectProgress value) => Volatile.Write(ref _last, value);

        public async Task<ResurrectResult> ShowWhileAsync(Task<ResurrectResult> work, TimeSpan after, CancellationToken cancellationToken)
        {
            if (await Task.WhenAny(work, Task.Delay(after, cancellationToken)) == work)
            {
                return await work;
            }

            var drawn = false;
            try
            {
                while (await Task.WhenAny(work, Task.Delay(200, cancellationToken)) != work)
                {
                    if (Volatile.Read(ref _last) is { TotalBytes: > 0 } p)
                    {
                        context.WriteRaw("\r" + Line(p));
                        drawn = true;
                    }
                }

                return await work;
            }
            finally
            {
                if (drawn)
                {
                    context.WriteRaw("\r\u001b[2K");
                }
            }
        }

        private static string Line(ResurrectProgress p)
        {
            const int width = 30;
            var share = Math.Clamp((double)p.BytesHeld / p.TotalBytes, 0, 1);
            var filled = (int)(share * width);
            return string.Create(CultureInfo.InvariantCulture,
                $"[{new string('#', filled)}{new string('.', width - filled)}] {share * 100:0}% {PeerText.Bytes(p.BytesHeld)} of {PeerText.Bytes(p.TotalBytes)} from {p.Holders} holder(s)");
        }
    }
}
