namespace OpenRed.Cli.Repl;

/// <summary>Where prompt lines come from: the line editor on a terminal, plain reading otherwise.</summary>
internal interface ILineReader : IDisposable
{
    /// <summary>The next line, or null at end of input.</summary>
    Task<string?> ReadLineAsync(CancellationToken cancellationToken);

    /// <summary>Prints an event (a new peer, a message) above the line being typed, then redraws that line.</summary>
    void WriteAbove(string text);

    /// <summary>
    /// Marks a command as running until the scope is disposed. On a terminal, Ctrl+C meanwhile interrupts it and
    /// drops the keys typed meanwhile; other keys are kept for the next line.
    /// </summary>
    IAsyncDisposable BeginCommand();
}
