using System.Text.Json;
using OpenRed.Cli.Repl;
using OpenRed.Core;
using Spectre.Console;

namespace OpenRed.Cli.Commands;

/// <summary>What a command may use: the node, the terminal, and the prompt's own state.</summary>
internal sealed class CommandContext
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    };

    private readonly Action _requestQuit;

    public CommandContext(
        OpenRedNode node,
        IAnsiConsole output,
        TextWriter error,
        CommandRegistry commands,
        string line,
        bool json,
        Action requestQuit)
    {
        Node = node;
        Out = output;
        Error = error;
        Commands = commands;
        Line = line;
        Json = json;
        _requestQuit = requestQuit;
    }

    public OpenRedNode Node { get; }

    /// <summary>stdout, for rendering; plain text without colours when output is redirected.</summary>
    public IAnsiConsole Out { get; }

    /// <summary>stderr: one line per failure.</summary>
    public TextWriter Error { get; }

    public CommandRegistry Commands { get; }

    /// <summary>The line as typed, for commands whose last argument is free text.</summary>
    public string Line { get; }

    /// <summary>True when the user gave <c>--json</c>.</summary>
    public bool Json { get; }

    /// <summary>The text after the first <paramref name="words"/> words of the line, exactly as typed (chat text, messages).</summary>
    public string RestOfLine(int words) => ReplLine.RestAfterWords(Line, words);

    /// <summary>Writes text as is: no markup, no wrapping.</summary>
    public void WriteRaw(string text)
    {
        var writer = Out.Profile.Out.Writer;
        writer.Write(text);
        writer.Flush();
    }

    /// <summary>Writes <paramref name="value"/> as one JSON line with snake_case names.</summary>
    public void WriteJson<T>(T value) => WriteRaw(JsonSerializer.Serialize(value, JsonOptions) + "\n");

    /// <summary>Asks the prompt to end after this command: the node then shuts down cleanly.</summary>
    public void RequestQuit() => _requestQuit();
}
