namespace OpenRed.Cli.Commands;

/// <summary>A command failed in a way the user can act on; the message is printed as one line on stderr.</summary>
internal sealed class CommandException : Exception
{
    public CommandException(string message) : base(message) { }

    public CommandException() { }

    public CommandException(string message, Exception inner) : base(message, inner) { }
}
