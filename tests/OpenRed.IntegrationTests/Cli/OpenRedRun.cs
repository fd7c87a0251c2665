namespace OpenRed.IntegrationTests.Cli;

/// <summary>The outcome of a finished <c>openred</c> process.</summary>
public sealed record OpenRedRun(int ExitCode, IReadOnlyList<string> StdoutLines, IReadOnlyList<string> StderrLines)
{
    public string Stdout => string.Join('\n', StdoutLines);

    public string Stderr => string.Join('\n', StderrLines);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
