using OpenRed.Bench.Infra;
using OpenRed.Bench.Report;
using OpenRed.Bench.Roles;
using OpenRed.Bench.Scenarios;

namespace OpenRed.Bench;

/// <summary>
/// The benchmark program of issues #3, #4 and #5. Run it inside a network namespace (scripts/bench.sh does).
/// Commands print one line a figure (or JSON with --json); the role-* commands are the child processes it starts.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: OpenRed.Bench [COMMAND] [OPTIONS]
          all                       every scenario below (default); writes bench-results/latest.json or --out FILE
          discovery  [--nodes 20] [--runs 5] [--same-sector] [--cold]
          handshakes [--seconds 10] [--in-flight 32] [--warmup 5] [--responder node|mesh|both]
          throughput [--gib 1] [--reps 3] [--receive single|overlapped]
          setup      [--rounds 200] [--warmup-rounds 20]  (connection set-up latency between two idle nodes; more warm-up rounds show the nodes once the JIT has settled)
          crypto     [--seconds 0.5]
          phoenix    [--runs 20] [--bulk-mib 256] [--publish-gib 1]
          mesh       [--nodes 30] [--timeout 180] [--settle 0]  (not in all: N processes, each bootstrapped from the previous;
                     --settle S keeps them S s more and counts the rotations of the second half: a settled mesh goes quiet)
          chat       [--messages 5000] [--latency-runs 200]
          splits     [--frames 1024] [--handshakes 500]  (diagnostic, not in all: per-frame CPU of a session, one thread, no sockets)
        options: --json (print JSON instead of the table), --out FILE (also write the JSON there)
        Figures are defined in docs/BENCHMARKS-RESULTS.md and the project's BENCHMARKS guide.
        """;

    public static async Task<int> Main(string[] args)
    {
        BenchArgs parsed;
        try
        {
            parsed = BenchArgs.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"OpenRed.Bench: {e.Message}{Environment.NewLine}{Usage}");
            return 2;
        }

        if (parsed.Has("--help") || parsed.Has("-h") || parsed.Command == "help")
        {
            Console.WriteLine(Usage);
            return 0;
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };

        try
        {
            return parsed.Command switch
            {
                "role-node" => await NodeRole.RunAsync(parsed, cts.Token),
                "role-mesh-node" => await MeshNodeRole.RunAsync(parsed, cts.Token),
                "role-responder" => await ResponderRole.RunAsync(parsed, cts.Token),
                "role-client" => await ClientRole.RunAsync(parsed, cts.Token),
                "role-sink" => await SinkRole.RunAsync(parsed, cts.Token),
                "role-sender" => await SenderRole.RunAsync(parsed, cts.Token),
                "role-phoenix" => await PhoenixRole.RunAsync(parsed, cts.Token),
                "role-connector" => await ConnectorRole.RunAsync(parsed, cts.Token),
                "all" or "discovery" or "handshakes" or "throughput" or "crypto" or "splits" or "phoenix" or "mesh" or "chat" or "setup" => await RunScenariosAsync(parsed, cts.Token),
                _ => throw new ArgumentException($"unknown command '{parsed.Command}'"),
            };
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"OpenRed.Bench: {e.Message}{Environment.NewLine}{Usage}");
            return 2;
        }
        catch (Exception e) when (parsed.Command.StartsWith("role-", StringComparison.Ordinal) && e is not OutOfMemoryException)
        {
            RoleIO.Error($"{e.GetType().Name}: {e.Message}");
            await Console.Error.WriteLineAsync(e.ToString());
            return 1;
        }
    }

    private static async Task<int> RunScenariosAsync(BenchArgs args, CancellationToken cancellationToken)
    {
        var command = args.Command;
        var all = command == "all";
        var table = new ResultTable(Machine.Describe());
        if (!table.Machine.InNamespace)
        {
            table.Problems.Add("not inside a network namespace: run it through scripts/bench.sh");
        }

        if (!Taskset.Available)
        {
            table.Problems.Add("taskset not found (or one core): the handshake figure ran unpinned");
        }

        void Progress(string line) => Console.Error.WriteLine($"[bench] {line}");

        // Option values are read before anything runs, so a typo fails fast with exit code 2.
        var nodes = args.Int("--nodes", command == "mesh" ? 30 : 20, 2, 200);
        var runs = args.Int("--runs", 5, 1, 100);
        var seconds = args.Number("--seconds", command == "crypto" ? 0.5 : 10, 0.05, 600);
        var inFlight = args.Int("--in-flight", 32, 1, 4096);
        var warmup = args.Number("--warmup", 5, 0, 60);
        var responder = args.String("--responder", "both");
        if (responder is not ("node" or "mesh" or "both"))
        {
            throw new ArgumentException("--responder must be node, mesh or both");
        }

        var gib = args.Number("--gib", 1, 0.01, 64);
        var reps = args.Int("--reps", 3, 1, 100);
        var receive = args.String("--receive", "single");
        if (receive is not ("single" or "overlapped"))
        {
            throw new ArgumentException("--receive must be single or overlapped");
        }

        var chatMessages = args.Int("--messages", 5000, 10, 1_000_000);
        var latencyRuns = args.Int("--latency-runs", 200, 10, 100_000);
        var rounds = args.Int("--rounds", 200, 1, 100_000);
        var setupWarmup = args.Int("--warmup-rounds", 20, 0, 100_000);
        var meshTimeout = args.Number("--timeout", 180, 10, 3600);
        var meshSettle = args.Number("--settle", 0, 0, 600);

        var failed = false;
        async Task Scenario(string name, Func<Task<IReadOnlyList<Figure>>> run)
        {
            if (!all && command != name)
            {
                return;
            }

            Progress($"{name} ...");
            try
            {
                table.AddRange(await run());
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failed = true;
                table.Problems.Add($"{name} failed: {e.Message}");
                Progress($"{name} failed: {e}");
            }
        }

        await Scenario("crypto", () => Task.FromResult(Handshakes.CryptoFigures(all ? 0.5 : seconds)));
        if (command == "splits")
        {
            var frames = args.Int("--frames", 1024, 1, 1_000_000);
            await Scenario("splits", () => Task.FromResult<IReadOnlyList<Figure>>(
                [
                    .. HandshakeSplits.Run(args.Int("--handshakes", 500, 1, 100_000)),
                    .. SessionSplits.Run(Throughput.Size256K, frames),
                    .. SessionSplits.Run(ChunkFrames.MaxPayload(), frames),
                ]));
        }

        await Scenario("discovery", async () =>
        {
            // The figure is measured JIT-warm; `all` adds the cold start (20 runtimes compiling at once) for information.
            var figures = new List<Figure>();
            foreach (var cold in all ? new[] { false, true } : [args.Has("--cold")])
            {
                figures.AddRange(await Discovery.RunAsync(nodes, runs, args.Has("--same-sector"), cold, Progress, cancellationToken));
            }

            return figures;
        });
        await Scenario("handshakes", async () =>
        {
            var figures = new List<Figure>();
            foreach (var mode in responder == "both" ? new[] { "node", "mesh" } : [responder])
            {
                figures.AddRange(await Handshakes.RunAsync(mode, all ? 10 : seconds, inFlight, warmup, Progress, cancellationToken));
            }

            return figures;
        });
        await Scenario("setup", () => SetupLatency.RunAsync(rounds, setupWarmup, Progress, cancellationToken));
        await Scenario("throughput", () => Throughput.RunAsync(gib, reps, receive, Progress, cancellationToken));
        var phoenixRuns = args.Int("--runs", 20, 1, 1000);
        var bulkMiB = args.Int("--bulk-mib", 256, 1, 4096);
        var publishGiB = args.Number("--publish-gib", 1, 0.01, 4);
        await Scenario("phoenix", () => PhoenixBench.RunAsync(command == "phoenix" ? phoenixRuns : 20, bulkMiB, publishGiB, Progress, cancellationToken));
        await Scenario("chat", () => Chat.RunAsync(chatMessages, latencyRuns, Progress, cancellationToken));
        if (command == "mesh")
        {
            // Not in `all`: N node processes for up to --timeout seconds (issue 12).
            await Scenario("mesh", () => MeshFormation.RunAsync(nodes, meshTimeout, meshSettle, Progress, cancellationToken));
        }

        var json = table.ToJson();
        Console.WriteLine(args.Has("--json") ? json : table.ToText());
        var outFile = args.String("--out") ?? (all ? Path.Combine("bench-results", "latest.json") : null);
        if (outFile is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outFile))!);
            await File.WriteAllTextAsync(outFile, json + Environment.NewLine, cancellationToken);
            Progress($"wrote {outFile}");
        }

        return failed ? 1 : 0;
    }
}
