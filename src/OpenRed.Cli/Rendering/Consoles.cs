using Spectre.Console;

namespace OpenRed.Cli.Rendering;

/// <summary>The stdout console: colours only for a person at a terminal, plain text for scripts.</summary>
internal static class Consoles
{
    public static IAnsiConsole Create(TextWriter output, bool plain)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(plain ? new TrimmingWriter(output) : output),
            Ansi = plain ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = plain ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (plain)
        {
            // Nothing to fit: a script wants whole lines, not text wrapped at 80 columns.
            console.Profile.Width = 1000;
        }

        return console;
    }
}
