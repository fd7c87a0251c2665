using OpenRed.Cli.Repl;

namespace OpenRed.IntegrationTests.Cli;

public sealed class LineEditorTests
{
    private static readonly string[] Words = ["status", "stop", "help", "quit"];
    private int _interrupts;
    private bool _quitOnInterrupt;

    private LineEditor Editor(FakeTerminal t, History? history = null) => new(
        t,
        history ?? new History(null),
        (before, prefix) => before.Count == 0 ? Words.Where(w => w.StartsWith(prefix, StringComparison.Ordinal)) : [],
        () =>
        {
            _interrupts++;
            return _quitOnInterrupt;
        });

    [Fact]
    public void Typing_ThenEnter_ReturnsLine_ShowsPrompt()
    {
        var t = new FakeTerminal().Type("status --json").Press(ConsoleKey.Enter);

        Editor(t).ReadLine().Should().Be("status --json");
        t.Output.Should().Contain("OpenRed-P2P> ");
    }

    [Fact]
    public void CursorMovement_InsertsAndDeletesInTheMiddle()
    {
        var t = new FakeTerminal().Type("stts")
            .Press(ConsoleKey.LeftArrow).Press(ConsoleKey.LeftArrow).Type("a")
            .Press(ConsoleKey.Home).Press(ConsoleKey.Delete).Type("S")
            .Press(ConsoleKey.End).Press(ConsoleKey.Backspace).Type("us")
            .Press(ConsoleKey.Enter);

        Editor(t).ReadLine().Should().Be("Status");
    }

    [Fact]
    public void CtrlK_CtrlU_CtrlW_Kill()
    {
        var t = new FakeTerminal().Type("one two three").Press(ConsoleKey.W, control: true)
            .Press(ConsoleKey.A, control: true).Press(ConsoleKey.RightArrow).Press(ConsoleKey.RightArrow).Press(ConsoleKey.RightArrow)
            .Press(ConsoleKey.K, control: true).Press(ConsoleKey.Enter);

        Editor(t).ReadLine().Should().Be("one");
    }

    [Fact]
    public void History_UpDown_RecallsLines()
    {
        var history = new History(null);
        history.Add("first");
        history.Add("second");
        var t = new FakeTerminal()
            .Press(ConsoleKey.UpArrow).Press(ConsoleKey.UpArrow).Press(ConsoleKey.UpArrow).Press(ConsoleKey.DownArrow)
            .Press(ConsoleKey.Enter);

        Editor(t, history).ReadLine().Should().Be("second");
    }

    [Fact]
    public void History_IsSavedAndReloaded()
    {
        using var dir = new TempDirectory();
        var path = dir.Sub("history");
        Editor(new FakeTerminal().Type("status").Press(ConsoleKey.Enter), new History(path)).ReadLine();
        Editor(new FakeTerminal().Type("help").Press(ConsoleKey.Enter), new History(path)).ReadLine();

        var t = new FakeTerminal().Press(ConsoleKey.UpArrow).Press(ConsoleKey.UpArrow).Press(ConsoleKey.Enter);

        Editor(t, new History(path)).ReadLine().Should().Be("status");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Fact]
    public void Tab_CompletesUniqueCommand()
    {
        var t = new FakeTerminal().Type("sta").Press(ConsoleKey.Tab).Type("--json").Press(ConsoleKey.Enter);

        Editor(t).ReadLine().Should().Be("status --json");
    }

    [Fact]
    public void Tab_Ambiguous_CompletesCommonPrefix_SecondTabLists()
    {
        var t = new FakeTerminal().Type("s").Press(ConsoleKey.Tab).Press(ConsoleKey.Tab).Press(ConsoleKey.Enter);

        Editor(t).ReadLine().Should().Be("st");
        t.Output.Should().Contain("status  stop");
    }

    [Fact]
    public void CtrlC_ClearsLine_WhenNotQuitting()
    {
        var t = new FakeTerminal().Type("half typed").Press(ConsoleKey.C, control: true).Type("help").Press(ConsoleKey.Enter);

        Editor(t).ReadLine().Should().Be("help");
        _interrupts.Should().Be(1);
    }

    [Fact]
    public void CtrlC_WhenQuitting_ReturnsNull()
    {
        _quitOnInterrupt = true;
        var t = new FakeTerminal().Type("x").Press(ConsoleKey.C, control: true);

        Editor(t).ReadLine().Should().BeNull();
    }

    [Fact]
    public void CtrlD_OnEmptyLine_IsEndOfInput()
    {
        var t = new FakeTerminal().Press(ConsoleKey.D, control: true);

        Editor(t).ReadLine().Should().BeNull();
    }

    [Fact]
    public void LongLine_ScrollsInsteadOfWrapping()
    {
        var t = new FakeTerminal { Width = 30 };
        t.Type(new string('x', 100)).Press(ConsoleKey.Enter);

        Editor(t).ReadLine().Should().HaveLength(100);
        t.Output.Split('\r').Max(s => s.Replace("\u001b[K", "", StringComparison.Ordinal).Length).Should().BeLessThan(40);
    }
}
