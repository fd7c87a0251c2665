namespace OpenRed.Cli.Repl;

/// <summary>The keyboard and screen the line editor drives; a fake one in tests.</summary>
internal interface ITerminal
{
    ConsoleKeyInfo ReadKey();

    void Write(string text);

    int Width { get; }
}
