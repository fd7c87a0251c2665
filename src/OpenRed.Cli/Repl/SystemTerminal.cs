namespace OpenRed.Cli.Repl;

/// <summary>The real console. Ctrl+C arrives as a key, so the editor decides what it means.</summary>
internal sealed class SystemTerminal : ITerminal, IDisposable
{
    private readonly bool _treatControlCAsInput;

    public SystemTerminal()
    {
        _treatControlCAsInput = Console.TreatControlCAsInput;
        Console.TreatControlCAsInput = true;
    }

    public int Width
    {
        get
        {
            try
            {
                return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
            }
            catch (IOException)
            {
                return 80;
            }
        }
    }

    public ConsoleKeyInfo ReadKey() => Console.ReadKey(intercept: true);

    public void Write(string text)
    {
        Console.Out.Write(text);
        Console.Out.Flush();
    }

    public void Dispose() => Console.TreatControlCAsInput = _treatControlCAsInput;
}
