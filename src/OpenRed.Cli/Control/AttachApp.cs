using System.Text.Json;
using OpenRed.Cli.Repl;
using OpenRed.Core.Storage;
using OpenRed.Core.Text;

namespace OpenRed.Cli.Control;

/// <summary>
/// <c>openred attach [--data-dir D | --node-id X]</c>: the prompt of a running node, as if it had been started on
/// this terminal: line editing, history, completion (asked of the node), events above the line. Ctrl+D or
/// <c>detach</c> leave the node running; <c>quit</c> stops it.
/// </summary>
internal sealed class AttachApp
{
    public const string Usage = """
        Usage: openred attach [--data-dir <path> | --node-id <id>]

        Opens the prompt of the node running on that data directory (chosen as the node chooses it:
        --data-dir, else the default for --node-id, else for the host name): line editing, history,
        completion, and what happens in the constellation above the line.
        Ctrl+D or 'detach' leave the node running; 'quit' stops it.

        Exit codes: 0 detached (or the node stopped by quit), 1 the node went away, 2 usage error, 3 no node runs there.

        """;

    private static readonly TimeSpan CompletionTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SubscribeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly ControlClient _client;
    private readonly string _nodeId;
    private readonly Lock _gate = new();
    private CancellationTokenSource? _running;

    private AttachApp(ControlClient client, string nodeId)
    {
        _client = client;
        _nodeId = nodeId;
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var target = ControlTarget.Parse(args, out var error);
        if (target is null || target is { Help: false, Rest.Count: > 0 })
        {
            await Console.Error.WriteLineAsync("openred: attach: " + VisibleText.Escape(error
                ?? $"unexpected argument {Rendering.Echo.Quote(target!.Rest[0])}; to run one command, use 'openred ctl'"));
            await Console.Error.WriteLineAsync("Try 'openred attach --help'.");
            return ExitCodes.Usage;
        }

        if (target.Help)
        {
            await Console.Out.WriteAsync(Usage);
            return ExitCodes.Ok;
        }

        using var client = new ControlClient(target.DataDirectory);
        JsonElement status;
        try
        {
            status = await client.GetAsync("status", CancellationToken.None);
        }
        catch (ControlUnreachableException e)
        {
            await Console.Error.WriteLineAsync("openred: " + VisibleText.Escape(e.Message));
            return e.NoNode ? ExitCodes.NoNode : ExitCodes.Failed;
        }
        catch (ControlRefusedException e)
        {
            await Console.Error.WriteLineAsync("openred: " + VisibleText.Escape(e.Message));
            return ExitCodes.Failed;
        }

        var nodeId = status.TryGetProperty("node_id", out var id) ? id.GetString() ?? "?" : "?";
        var fingerprint = status.TryGetProperty("fingerprint", out var fp) ? fp.GetString() ?? "" : "";
        return await new AttachApp(client, nodeId).RunAsync(target.DataDirectory, fingerprint);
    }

    private async Task<int> RunAsync(string dataDirectory, string fingerprint)
    {
        var interactive = !Console.IsInputRedirected;
        using var signals = new ShutdownSignals(TimeProvider.System, interactive);
        signals.CommandInterrupted += InterruptCommand;
        using var lost = new CancellationTokenSource();
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(signals.Token, lost.Token);
        using var stopEvents = new CancellationTokenSource();
        var terminal = interactive ? new SystemTerminal() : null;
        using ILineReader reader = terminal is null
            ? new PlainLineReader(Console.In, Console.Out)
            : new LineEditor(terminal, new History(new DataDirectory(dataDirectory).History), Complete, signals.Interrupt, "detach");
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var events = WatchEventsAsync(reader, interactive, subscribed, lost, stopEvents.Token);
        try
        {
            try
            {
                await subscribed.Task.WaitAsync(SubscribeTimeout, leave.Token);
            }
            catch (TimeoutException)
            {
                // Events are a convenience; the prompt works without them.
            }

            if (interactive && !lost.IsCancellationRequested)
            {
                var shortFp = fingerprint.Length >= 16 ? fingerprint[..16] : fingerprint;
                await Console.Out.WriteLineAsync(VisibleText.Escape(
                    $"Attached to {_nodeId} ({shortFp}) at {dataDirectory}. 'detach' or Ctrl+D leaves it running; 'quit' stops it."));
            }

            var outcome = await LoopAsync(reader, leave.Token, signals.Token, lost);
            if (outcome == Outcome.Quit)
            {
                try
                {
                    await Task.Delay(StopTimeout, lost.Token);
                }
                catch (OperationCanceledException)
                {
                    // The node closed its end: it has stopped.
                }

                await Console.Out.WriteLineAsync(VisibleText.Escape($"Node {_nodeId} stopped."));
                return ExitCodes.Ok;
            }

            if (lost.IsCancellationRequested && !signals.Token.IsCancellationRequested && outcome != Outcome.Detach)
            {
                await Console.Error.WriteLineAsync(VisibleText.Escape($"openred: the node at {dataDirectory} stopped; detached"));
                return ExitCodes.Failed;
            }

            return ExitCodes.Ok;
        }
        finally
        {
            await stopEvents.CancelAsync();
            await events;
            terminal?.Dispose();
        }
    }

    private enum Outcome
    {
        Detach,
        Quit,
        Lost,
    }

    /// <param name="leave">Detach, or the node went away: stop reading lines.</param>
    /// <param name="detach">Detach only: a command under way is given up. (When the node goes away, the command's own
    /// request fails; cancelling it then would lose the answer to a quit, which the node sends just before it goes.)</param>
    private async Task<Outcome> LoopAsync(ILineReader reader, CancellationToken leave, CancellationToken detach, CancellationTokenSource lost)
    {
        var width = !Console.IsInputRedirected && !Console.IsOutputRedirected ? TerminalWidth() : (int?)null;
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(leave);
            }
            catch (OperationCanceledException)
            {
                return lost.IsCancellationRequested ? Outcome.Lost : Outcome.Detach;
            }

            var word = ReplLine.FirstWord(line ?? "detach");
            if (word.Equals("detach", StringComparison.OrdinalIgnoreCase))
            {
                return Outcome.Detach;
            }

            if (word.Equals("quit", StringComparison.OrdinalIgnoreCase) || word.Equals("exit", StringComparison.OrdinalIgnoreCase))
            {
                if (ReplLine.RestAfterWords(line!, 1).Trim().Length == 0)
                {
                    await Console.Out.WriteLineAsync(VisibleText.Escape($"Stopping node {_nodeId} ('detach' would have left it running)."));
                }
            }

            CommandResponse response;
            await using (reader.BeginCommand())
            {
                using var running = CancellationTokenSource.CreateLinkedTokenSource(detach);
                lock (_gate)
                {
                    _running = running;
                }

                try
                {
                    response = await _client.RunAsync(new CommandRequest(line, width, Ansi: width is not null), running.Token);
                }
                catch (OperationCanceledException) when (!detach.IsCancellationRequested)
                {
                    // Ctrl+C: the request is dropped, and the node interrupts the command as the prompt would.
                    await Console.Error.WriteLineAsync($"openred: {VisibleText.Escape(word.ToLowerInvariant())}: interrupted");
                    continue;
                }
                catch (OperationCanceledException)
                {
                    return lost.IsCancellationRequested ? Outcome.Lost : Outcome.Detach;
                }
                catch (Exception e) when (e is ControlUnreachableException or HttpRequestException or IOException)
                {
                    await lost.CancelAsync();
                    return Outcome.Lost;
                }
                catch (ControlRefusedException e)
                {
                    await Console.Error.WriteLineAsync("openred: " + VisibleText.Escape(e.Message));
                    continue;
                }
                finally
                {
                    lock (_gate)
                    {
                        _running = null;
                    }
                }
            }

            await Console.Out.WriteAsync(response.Stdout);
            await Console.Out.FlushAsync();
            await Console.Error.WriteAsync(response.Stderr);
            await Console.Error.FlushAsync();
            if (response.Quit)
            {
                return Outcome.Quit;
            }
        }
    }

    private async Task WatchEventsAsync(
        ILineReader reader, bool print, TaskCompletionSource subscribed, CancellationTokenSource lost, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await foreach (var e in _client.EventsAsync(() => subscribed.TrySetResult(), cancellationToken))
            {
                if (print && e.Text is { } text)
                {
                    // Node-ids, sectors and reasons come from peers: nothing in them may act on the terminal.
                    reader.WriteAbove(VisibleText.Escape(text));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is ControlUnreachableException or ControlRefusedException or HttpRequestException or IOException
            or JsonException or ObjectDisposedException)
        {
            // The node went away (or never subscribed us): the prompt ends below.
        }

        subscribed.TrySetResult();
        if (!cancellationToken.IsCancellationRequested)
        {
            await lost.CancelAsync();
        }
    }

    private void InterruptCommand()
    {
        lock (_gate)
        {
            _running?.Cancel();
        }
    }

    // Called by the line editor on Tab, on its own thread: the node knows the peer names and addresses.
    private IEnumerable<string> Complete(IReadOnlyList<string> words, string prefix)
    {
        IEnumerable<string> local = words.Count == 0 && "detach".StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? ["detach"] : [];
        try
        {
            using var timeout = new CancellationTokenSource(CompletionTimeout);
            var remote = _client.CompleteAsync(words, prefix, timeout.Token).GetAwaiter().GetResult();
            return remote.Concat(local).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is ControlUnreachableException or ControlRefusedException or OperationCanceledException
            or HttpRequestException or IOException or JsonException)
        {
            return local;
        }
    }

    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}
