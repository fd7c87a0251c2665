namespace OpenRed.Cli.Commands;

/// <summary>Optional: a command that completes its arguments on Tab (peer names, URNs).</summary>
internal interface ICompletingCommand
{
    /// <param name="words">The words typed before the one being completed, the command name first.</param>
    /// <param name="prefix">The part of the current word before the cursor.</param>
    IEnumerable<string> Complete(CommandContext context, IReadOnlyList<string> words, string prefix);
}
