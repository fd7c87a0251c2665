using System.CommandLine;
using System.CommandLine.Help;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using OpenRed.Cli.Commands;

namespace OpenRed.Cli.Repl;

/// <summary>The prompt's commands: found by reflection, so a new command is one new file in Commands/.</summary>
internal sealed class CommandRegistry
{
    private readonly Dictionary<string, IReplCommand> _byWord = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<IReplCommand, Command> _syntax = [];

    public CommandRegistry(IEnumerable<IReplCommand> commands)
    {
        foreach (var command in commands.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            var syntax = command.BuildSyntax();
            if (syntax.Name != command.Name)
            {
                throw new InvalidOperationException($"command {command.Name} builds syntax named {syntax.Name}");
            }

            // The command is the root of its own parse, so it needs its own -h/--help.
            if (!syntax.Options.OfType<HelpOption>().Any())
            {
                syntax.Add(new HelpOption());
            }

            _syntax[command] = syntax;
            foreach (var word in command.Aliases.Prepend(command.Name))
            {
                if (!_byWord.TryAdd(word, command))
                {
                    throw new InvalidOperationException($"two commands answer to '{word}'");
                }
            }
        }

        All = [.. _syntax.Keys];
    }

    public IReadOnlyList<IReplCommand> All { get; }

    /// <summary>Every word that names a command, aliases included.</summary>
    public IEnumerable<string> Words => _byWord.Keys;

    /// <summary>Every <see cref="IReplCommand"/> in this assembly with a parameterless constructor.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The executable is not trimmed.")]
    public static CommandRegistry Discover() => new(
        typeof(CommandRegistry).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IReplCommand).IsAssignableFrom(t)
                && t.GetConstructor(BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes) is not null)
            .Select(t => (IReplCommand)Activator.CreateInstance(t)!));

    public bool TryFind(string word, [NotNullWhen(true)] out IReplCommand? command) => _byWord.TryGetValue(word, out command);

    public Command SyntaxOf(IReplCommand command) => _syntax[command];

    public string UnknownCommandMessage(string word)
    {
        var guess = Suggestions.Nearest(word, _byWord.Keys);
        return guess is null
            ? $"unknown command {Rendering.Echo.Quote(word)}; type 'help' for the list"
            : $"unknown command {Rendering.Echo.Quote(word)}; did you mean '{guess}'?";
    }

    /// <summary>The System.CommandLine help of one command, as text.</summary>
    public string HelpText(IReplCommand command)
    {
        using var writer = new StringWriter();
        _syntax[command].Parse(["--help"], Startup.StartupFlags.Configuration)
            .Invoke(new System.CommandLine.InvocationConfiguration { Output = writer, EnableDefaultExceptionHandler = false });
        return writer.ToString();
    }

    /// <summary>Tab completion: command names for the first word, else what the command offers.</summary>
    public IEnumerable<string> Complete(CommandContext? context, IReadOnlyList<string> wordsBefore, string prefix)
    {
        if (wordsBefore.Count == 0)
        {
            return _byWord.Keys.Where(w => w.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && w != "?")
                .Order(StringComparer.Ordinal);
        }

        return context is not null && TryFind(wordsBefore[0], out var command) && command is ICompletingCommand completing
            ? completing.Complete(context, wordsBefore, prefix)
            : [];
    }
}
