using System.Text;

namespace OpenRed.Cli.Rendering;

/// <summary>
/// Drops the spaces that table layout leaves at the end of lines, so plain output compares and greps cleanly.
/// Holds back spaces only until the next non-space character or newline.
/// </summary>
internal sealed class TrimmingWriter : TextWriter
{
    private readonly TextWriter _inner;
    private int _pendingSpaces;

    public TrimmingWriter(TextWriter inner) => _inner = inner;

    public override Encoding Encoding => _inner.Encoding;

    public override void Write(char value)
    {
        switch (value)
        {
            case ' ':
                _pendingSpaces++;
                break;
            case '\n' or '\r':
                _pendingSpaces = 0;
                _inner.Write(value);
                break;
            default:
                if (_pendingSpaces > 0)
                {
                    _inner.Write(new string(' ', _pendingSpaces));
                    _pendingSpaces = 0;
                }

                _inner.Write(value);
                break;
        }
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? "")
        {
            Write(c);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        for (var i = index; i < index + count; i++)
        {
            Write(buffer[i]);
        }
    }

    public override void Flush() => _inner.Flush();
}
