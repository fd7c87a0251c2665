namespace OpenRed.Cli.Repl;

/// <summary>Prompt history, kept in the data directory (owner-only: lines may hold chat text).</summary>
internal sealed class History
{
    public const int MaxEntries = 1000;

    /// <summary>
    /// Longer lines are not kept: no command needs them, and a pasted megabyte would be written to disk and loaded at
    /// every start. Cutting them instead would make Up recall a different command from the one that ran.
    /// </summary>
    public const int MaxLineLength = 2000;

    private readonly List<string> _entries = [];
    private readonly string? _path;
    private int _cursor;

    public History(string? path)
    {
        _path = path;
        if (path is not null && File.Exists(path))
        {
            try
            {
                _entries.AddRange(File.ReadLines(path).Where(Keeps).TakeLast(MaxEntries));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // History is a convenience; a node must start without it.
            }
        }

        _cursor = _entries.Count;
    }

    public IReadOnlyList<string> Entries => _entries;

    public void Add(string line)
    {
        line = line.TrimEnd();
        _cursor = _entries.Count;
        if (!Keeps(line) || (_entries.Count > 0 && _entries[^1] == line))
        {
            return;
        }

        _entries.Add(line);
        if (_entries.Count > MaxEntries)
        {
            _entries.RemoveAt(0);
        }

        _cursor = _entries.Count;
        Append(line);
    }

    /// <summary>The entry before the one shown, or null at the oldest.</summary>
    public string? Previous()
    {
        if (_cursor == 0)
        {
            return null;
        }

        _cursor--;
        return _entries[_cursor];
    }

    /// <summary>The entry after the one shown; "" past the newest (the empty new line).</summary>
    public string? Next()
    {
        if (_cursor >= _entries.Count)
        {
            return null;
        }

        _cursor++;
        return _cursor == _entries.Count ? "" : _entries[_cursor];
    }

    public void ResetCursor() => _cursor = _entries.Count;

    // One entry is one line of the file, so a line break inside would split it.
    private static bool Keeps(string line) =>
        !string.IsNullOrWhiteSpace(line) && line.Length <= MaxLineLength && line.AsSpan().IndexOfAny('\r', '\n') < 0;

    private void Append(string line)
    {
        if (_path is null)
        {
            return;
        }

        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var writer = new StreamWriter(_path, options);
            writer.WriteLine(line);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // As above: losing history must not stop the prompt.
        }
    }
}
