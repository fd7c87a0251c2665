namespace OpenRed.Cli.Repl;

/// <summary>Where prompt lines come from: the line editor on a terminal, plain reading otherwise.</summary>
internal interface ILineReader : IDisposable
{
    /// <summary>The next line, or null at end of input.</summary>
    Task<string?> ReadLineAsync(CancellationToken ct);

    /// <summary>Prints an event (a new peer, a message) above the line being typed, then redraws that line.</summary>
    void WriteAbove(string text);
}
