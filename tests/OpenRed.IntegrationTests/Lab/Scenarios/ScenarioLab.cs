using System.Diagnostics;

namespace OpenRed.IntegrationTests.Lab.Scenarios;

/// <summary>
/// A flat lab with one <c>openred</c> node per host, each on its own data directory. Dispose kills every node
/// (through the lab) and removes the data directories; use <c>await using</c>.
/// </summary>
internal sealed class ScenarioLab : IAsyncDisposable
{
    /// <summary>Generous for one REPL answer on a busy 2-core machine; a healthy node answers in milliseconds.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);

    /// <summary>First answer of a freshly started node: the runtime starts, JITs and opens its database first.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(40);

    private readonly string _dataRoot;

    private ScenarioLab(NetworkLab lab, string dataRoot, IReadOnlyList<LabNode> nodes)
    {
        Lab = lab;
        _dataRoot = dataRoot;
        Nodes = nodes;
    }

    public NetworkLab Lab { get; }

    /// <summary>Node of host i is at index i - 1.</summary>
    public IReadOnlyList<LabNode> Nodes { get; }

    /// <summary>When the last node first answered <c>status --json</c> (a <see cref="Stopwatch"/> timestamp).</summary>
    public long AllAnsweredAt { get; private set; }

    /// <summary>Each node's first <c>status --json</c>, in host order.</summary>
    public IReadOnlyList<StatusView> FirstStatus { get; private set; } = [];

    public LabNode this[int host] => Nodes[host - 1];

    /// <summary>
    /// Brings up a flat lab with one host per entry of <paramref name="sectors"/>, starts a node in each (all at once)
    /// and returns once every node has answered its first <c>status --json</c>.
    /// </summary>
    public static Task<ScenarioLab> StartAsync(IReadOnlyList<string> sectors, CancellationToken cancellationToken) =>
        StartAsync(new LabOptions(Hosts: sectors.Count), sectors, null, cancellationToken);

    /// <summary>
    /// As above on a lab of any shape (<paramref name="options"/>, one host per sector), each node started with
    /// <paramref name="extraArgs"/> of its host number (1-based) besides the usual flags.
    /// </summary>
    public static async Task<ScenarioLab> StartAsync(
        LabOptions options, IReadOnlyList<string> sectors, Func<int, IEnumerable<string>>? extraArgs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(sectors);
        EnsureThreadsForPipes(sectors.Count);
        var dataRoot = Directory.CreateTempSubdirectory("openred-scenario-").FullName;
        NetworkLab? lab = null;
        ScenarioLab? scenario = null;
        try
        {
            lab = await NetworkLab.StartAsync(options with { Hosts = sectors.Count }, cancellationToken);
            var nodes = sectors
                .Select((sector, i) => LabNode.Start(lab, i + 1, sector, Path.Combine(dataRoot, "h" + (i + 1)), extraArgs?.Invoke(i + 1)))
                .ToList();
            scenario = new ScenarioLab(lab, dataRoot, nodes);
            scenario.FirstStatus = await Task.WhenAll(nodes.Select(n => n.StatusAsync(StartTimeout, cancellationToken)));
            scenario.AllAnsweredAt = Stopwatch.GetTimestamp();
            return scenario;
        }
        catch
        {
            if (scenario is not null)
            {
                await scenario.DisposeAsync();
            }
            else
            {
                if (lab is not null)
                {
                    await lab.DisposeAsync();
                }

                DeleteQuietly(dataRoot);
            }

            throw;
        }
    }

    /// <summary>What every node wrote to stderr, for failure messages.</summary>
    public string DescribeErrors() =>
        string.Join('\n', Nodes.Select(n => $"--- {n} stderr:\n{n.StandardError}"));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Lab.DisposeAsync();
        }
        finally
        {
            DeleteQuietly(_dataRoot);
        }
    }

    /// <summary>
    /// On Linux, reads and writes of a child's stdio pipes park a thread-pool thread each. With two cores the pool
    /// starts with two threads and adds about one per second when starved, which stalled the polls by a second.
    /// </summary>
    private static void EnsureThreadsForPipes(int nodes)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        var wanted = (nodes * 3) + 16;
        if (workers < wanted)
        {
            ThreadPool.SetMinThreads(wanted, io);
        }
    }

    private static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a node killed mid-write may leave a file behind for a moment; the temp directory is ours alone
        }
    }
}
