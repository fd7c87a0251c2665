using System.Text;

namespace OpenRed.Cli.Repl;

/// <summary>
/// The prompt on a terminal: cursor movement, Home/End, Backspace/Delete, Ctrl+A/E/K/U/W, history on Up/Down,
/// Tab completion, Ctrl+C to clear the line (twice to quit) and Ctrl+D on an empty line to leave.
/// Long lines scroll horizontally so the prompt never wraps. While a command runs (<see cref="BeginCommand"/>) it
/// keeps reading keys: Ctrl+C interrupts the command and drops what was typed meanwhile; other keys wait for the
/// next line.
/// </summary>
internal sealed class LineEditor : ILineReader
{
    public const string Prompt = "OpenRed-P2P> ";
    private const string ClearToEnd = "\u001b[K";

    private readonly ITerminal _terminal;
    private readonly History _history;
    private readonly Func<IReadOnlyList<string>, string, IEnumerable<string>> _complete;
    private readonly Func<bool> _interrupt;
    private readonly string _leaveWord;
    private readonly Lock _gate = new();
    private readonly StringBuilder _buffer = new();
    private int _cursor;
    private int _scroll;
    private bool _editing;
    private bool _lastWasTab;
    private Task<string?>? _pending;

    // Keys read while a command ran, for the next line. Guarded by _gate.
    private readonly Queue<ConsoleKeyInfo> _typeAhead = new();

    // A ReadKey started while a command ran and not yet consumed: ReadKey cannot be cancelled, so whoever reads
    // next (the next line, or the next command's watch) takes this one over rather than start a second. Guarded by _gate.
    private Task<ConsoleKeyInfo>? _keyRead;

    /// <param name="interrupt">Called on Ctrl+C; returns true when that Ctrl+C ends the prompt.</param>
    /// <param name="leaveWord">What a second Ctrl+C does, for the hint: "quit" (the node stops), or "detach" (attach).</param>
    public LineEditor(
        ITerminal terminal,
        History history,
        Func<IReadOnlyList<string>, string, IEnumerable<string>> complete,
        Func<bool> interrupt,
        string leaveWord = "quit")
    {
        _leaveWord = leaveWord;
        _terminal = terminal;
        _history = history;
        _complete = complete;
        _interrupt = interrupt;
    }

    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        // ReadKey blocks a thread and cannot be cancelled; an abandoned read is resumed by the next call.
        _pending ??= Task.Factory.StartNew(ReadLine, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var line = await _pending.WaitAsync(cancellationToken);
        _pending = null;
        return line;
    }

    /// <summary>Reads one line synchronously; null at Ctrl+D on an empty line or a quitting Ctrl+C.</summary>
    internal string? ReadLine()
    {
        lock (_gate)
        {
            _buffer.Clear();
            _cursor = 0;
            _scroll = 0;
            _editing = true;
            Render();
        }

        while (true)
        {
            var key = NextKey();
            lock (_gate)
            {
                if (Handle(key, out var line))
                {
                    _editing = false;
                    return line;
                }

                Render();
            }
        }
    }

    public void WriteAbove(string text)
    {
        lock (_gate)
        {
            if (!_editing)
            {
                _terminal.Write(text + "\n");
                return;
            }

            _terminal.Write("\r" + ClearToEnd + text + "\n");
            Render();
        }
    }

    /// <summary>Listens for Ctrl+C until the returned scope is disposed; see the class summary.</summary>
    public IAsyncDisposable BeginCommand()
    {
        var stop = new CancellationTokenSource();
        return new CommandScope(stop, WatchAsync(stop.Token));
    }

    public void Dispose()
    {
    }

    private ConsoleKeyInfo NextKey()
    {
        Task<ConsoleKeyInfo>? inFlight;
        lock (_gate)
        {
            if (_typeAhead.TryDequeue(out var queued))
            {
                return queued;
            }

            inFlight = _keyRead;
            _keyRead = null;
        }

        return inFlight is null ? _terminal.ReadKey() : inFlight.GetAwaiter().GetResult();
    }

    private async Task WatchAsync(CancellationToken stop)
    {
        while (true)
        {
            Task<ConsoleKeyInfo> read;
            lock (_gate)
            {
                if (stop.IsCancellationRequested)
                {
                    return;
                }

                read = _keyRead ??= Task.Factory.StartNew(
                    _terminal.ReadKey, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }

            try
            {
                await read.WaitAsync(stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception) when (read.IsFaulted)
            {
                // The keyboard is gone; the next line's read takes over the failed read and ends the prompt.
                return;
            }

            bool interrupted;
            lock (_gate)
            {
                if (stop.IsCancellationRequested || _keyRead != read)
                {
                    // The command ended meanwhile: the key belongs to the next line, which takes it from _keyRead.
                    return;
                }

                _keyRead = null;
                var key = read.Result;
                interrupted = IsCtrlC(key);
                if (interrupted)
                {
                    // What was typed before Ctrl+C was meant for a command the user gave up on.
                    _typeAhead.Clear();
                }
                else
                {
                    _typeAhead.Enqueue(key);
                }
            }

            if (interrupted)
            {
                _interrupt();
            }
        }
    }

    private static bool IsCtrlC(ConsoleKeyInfo key) =>
        key.KeyChar == '\u0003' || (key.Key == ConsoleKey.C && (key.Modifiers & ConsoleModifiers.Control) != 0);

    // Stopping returns at once: the watch waits on nothing but the key read, and the read it may leave behind is
    // taken over by the next line.
    private sealed class CommandScope(CancellationTokenSource stop, Task watch) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await watch;
            stop.Dispose();
        }
    }

    // True when the line is finished (line null at end of input).
    private bool Handle(ConsoleKeyInfo key, out string? line)
    {
        line = null;
        var ctrl = (key.Modifiers & ConsoleModifiers.Control) != 0;
        var wasTab = _lastWasTab;
        _lastWasTab = false;
        switch (key.Key)
        {
            case ConsoleKey.Enter:
                line = _buffer.ToString();
                _terminal.Write("\r\n");
                _history.Add(line);
                return true;
            case ConsoleKey.C when ctrl:
                if (_interrupt())
                {
                    _terminal.Write("\r\n");
                    return true;
                }

                _terminal.Write(_buffer.Length > 0 ? "^C\r\n" : $"^C (press Ctrl+C again within 2 s to {_leaveWord})\r\n");
                SetBuffer("");
                _history.ResetCursor();
                return false;
            case ConsoleKey.D when ctrl:
                if (_buffer.Length == 0)
                {
                    _terminal.Write("\r\n");
                    return true;
                }

                DeleteAt(_cursor);
                return false;
            case ConsoleKey.LeftArrow or ConsoleKey.B when ctrl || key.Key == ConsoleKey.LeftArrow:
                _cursor = Math.Max(0, _cursor - 1);
                return false;
            case ConsoleKey.RightArrow or ConsoleKey.F when ctrl || key.Key == ConsoleKey.RightArrow:
                _cursor = Math.Min(_buffer.Length, _cursor + 1);
                return false;
            case ConsoleKey.Home or ConsoleKey.A when ctrl || key.Key == ConsoleKey.Home:
                _cursor = 0;
                return false;
            case ConsoleKey.End or ConsoleKey.E when ctrl || key.Key == ConsoleKey.End:
                _cursor = _buffer.Length;
                return false;
            case ConsoleKey.Backspace:
                if (_cursor > 0)
                {
                    _cursor--;
                    DeleteAt(_cursor);
                }

                return false;
            case ConsoleKey.Delete:
                DeleteAt(_cursor);
                return false;
            case ConsoleKey.K when ctrl:
                _buffer.Remove(_cursor, _buffer.Length - _cursor);
                return false;
            case ConsoleKey.U when ctrl:
                _buffer.Remove(0, _cursor);
                _cursor = 0;
                return false;
            case ConsoleKey.W when ctrl:
                DeleteWordBack();
                return false;
            case ConsoleKey.L when ctrl:
                _terminal.Write("\u001b[2J\u001b[H");
                return false;
            case ConsoleKey.UpArrow or ConsoleKey.P when ctrl || key.Key == ConsoleKey.UpArrow:
                if (_history.Previous() is { } previous)
                {
                    SetBuffer(previous);
                }

                return false;
            case ConsoleKey.DownArrow or ConsoleKey.N when ctrl || key.Key == ConsoleKey.DownArrow:
                if (_history.Next() is { } next)
                {
                    SetBuffer(next);
                }

                return false;
            case ConsoleKey.Tab:
                Complete(wasTab);
                _lastWasTab = true;
                return false;
            default:
                if (key.KeyChar != '\0' && !char.IsControl(key.KeyChar))
                {
                    _buffer.Insert(_cursor, key.KeyChar);
                    _cursor++;
                }

                return false;
        }
    }

    private void Complete(bool secondTab)
    {
        var before = _buffer.ToString(0, _cursor);
        var words = before.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var prefix = before.Length == 0 || char.IsWhiteSpace(before[^1]) || words.Count == 0 ? "" : words[^1];
        if (prefix.Length > 0)
        {
            words.RemoveAt(words.Count - 1);
        }

        var candidates = _complete(words, prefix).Distinct(StringComparer.Ordinal).ToList();
        if (candidates.Count == 0)
        {
            return;
        }

        var common = candidates.Count == 1 ? candidates[0] + " " : CommonPrefix(candidates);
        if (common.Length > prefix.Length)
        {
            _buffer.Remove(_cursor - prefix.Length, prefix.Length).Insert(_cursor - prefix.Length, common);
            _cursor += common.Length - prefix.Length;
        }
        else if (secondTab)
        {
            _terminal.Write("\r" + ClearToEnd + string.Join("  ", candidates) + "\n");
        }
    }

    private static string CommonPrefix(List<string> words)
    {
        var first = words[0];
        var length = first.Length;
        foreach (var w in words)
        {
            length = Math.Min(length, w.Length);
            for (var i = 0; i < length; i++)
            {
                if (char.ToLowerInvariant(w[i]) != char.ToLowerInvariant(first[i]))
                {
                    length = i;
                    break;
                }
            }
        }

        return first[..length];
    }

    private void DeleteAt(int index)
    {
        if (index < _buffer.Length)
        {
            _buffer.Remove(index, 1);
        }
    }

    private void DeleteWordBack()
    {
        var start = _cursor;
        while (start > 0 && char.IsWhiteSpace(_buffer[start - 1]))
        {
            start--;
        }

        while (start > 0 && !char.IsWhiteSpace(_buffer[start - 1]))
        {
            start--;
        }

        _buffer.Remove(start, _cursor - start);
        _cursor = start;
    }

    private void SetBuffer(string text)
    {
        _buffer.Clear().Append(text);
        _cursor = text.Length;
    }

    private void Render()
    {
        var room = Math.Max(10, _terminal.Width - Prompt.Length - 1);
        if (_cursor < _scroll)
        {
            _scroll = _cursor;
        }
        else if (_cursor > _scroll + room)
        {
            _scroll = _cursor - room;
        }

        _scroll = Math.Min(_scroll, Math.Max(0, _buffer.Length - room));
        var visible = _buffer.ToString(_scroll, Math.Min(room, _buffer.Length - _scroll));
        var column = Prompt.Length + _cursor - _scroll;
        _terminal.Write("\r" + Prompt + visible + ClearToEnd + "\r" + (column > 0 ? $"\u001b[{column}C" : ""));
    }

    /// <summary>What the user sees on the line now (for tests).</summary>
    internal string Current
    {
        get
        {
            lock (_gate)
            {
                return _buffer.ToString();
            }
        }
    }

    internal int Cursor => _cursor;
}
