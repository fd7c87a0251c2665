namespace OpenRed.Cli.Repl;

/// <summary>stdin is not a terminal: no prompt, no editing, one line at a time.</summary>
internal sealed class PlainLineReader : ILineReader
{
    private readonly TextReader _input;
    private readonly TextWriter _output;
    private Task<string?>? _pending;

    public PlainLineReader(TextReader input, TextWriter output)
    {
        _input = input;
        _output = output;
    }

    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        // Console input blocks a thread and cannot be cancelled; a read left over from a shutdown is
        // abandoned with the process, and a later call resumes it instead of starting a second reader.
        _pending ??= Task.Factory.StartNew(_input.ReadLine, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var line = await _pending.WaitAsync(cancellationToken);
        _pending = null;
        return line;
    }

    public void WriteAbove(string text)
    {
        lock (_output)
        {
            _output.WriteLine(text);
            _output.Flush();
        }
    }

    /// <summary>Nothing to listen to: without a terminal, SIGINT reaches <see cref="ShutdownSignals"/> directly.</summary>
    public IAsyncDisposable BeginCommand() => NoScope.Instance;

    public void Dispose()
    {
    }

    private sealed class NoScope : IAsyncDisposable
    {
        public static readonly NoScope Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
