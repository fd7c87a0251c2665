using System.Text;
using OpenRed.Cli.Repl;

namespace OpenRed.IntegrationTests.Cli;

/// <summary>Feeds keys to the line editor and records what it draws.</summary>
internal sealed class FakeTerminal : ITerminal
{
    private readonly Queue<ConsoleKeyInfo> _keys = new();
    private readonly StringBuilder _output = new();

    public int Width { get; set; } = 80;

    public string Output => _output.ToString();

    public FakeTerminal Type(string text)
    {
        foreach (var c in text)
        {
            _keys.Enqueue(new ConsoleKeyInfo(c, CharKey(c), shift: char.IsUpper(c), alt: false, control: false));
        }

        return this;
    }

    public FakeTerminal Press(ConsoleKey key, bool control = false)
    {
        var ch = key switch
        {
            ConsoleKey.Enter => '\r',
            ConsoleKey.Tab => '\t',
            ConsoleKey.Backspace => '\b',
            _ when control => (char)(key - ConsoleKey.A + 1),
            _ => '\0',
        };
        _keys.Enqueue(new ConsoleKeyInfo(ch, key, shift: false, alt: false, control: control));
        return this;
    }

    public ConsoleKeyInfo ReadKey() => _keys.Count > 0 ? _keys.Dequeue() : throw new InvalidOperationException("no more keys");

    public void Write(string text) => _output.Append(text);

    private static ConsoleKey CharKey(char c) => c switch
    {
        >= 'a' and <= 'z' => ConsoleKey.A + (c - 'a'),
        >= 'A' and <= 'Z' => ConsoleKey.A + (c - 'A'),
        >= '0' and <= '9' => ConsoleKey.D0 + (c - '0'),
        ' ' => ConsoleKey.Spacebar,
        _ => ConsoleKey.Oem1,
    };
}
