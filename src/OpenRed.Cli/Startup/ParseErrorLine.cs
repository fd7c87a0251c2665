using System.CommandLine;
using System.CommandLine.Parsing;
using OpenRed.Cli.Rendering;
using OpenRed.Cli.Repl;

namespace OpenRed.Cli.Startup;

/// <summary>Turns a parse's errors into the one line a person reads: the flag, what is wrong, and a near miss if any.</summary>
internal static class ParseErrorLine
{
    public static string Format(ParseResult parse)
    {
        // A flag's own complaint is more precise than the stray token it often leaves behind.
        var optionError = parse.Errors.FirstOrDefault(e => e.SymbolResult is OptionResult or ArgumentResult { Parent: OptionResult });
        if (optionError is not null)
        {
            var option = optionError.SymbolResult as OptionResult ?? (OptionResult)optionError.SymbolResult!.Parent!;
            return FormatOptionError(optionError.Message, option);
        }

        if (parse.UnmatchedTokens.Count > 0)
        {
            var token = parse.UnmatchedTokens[0];
            if (token.StartsWith('-'))
            {
                var names = parse.CommandResult.Command.Options
                    .SelectMany(o => o.Aliases.Prepend(o.Name))
                    .Where(n => n.StartsWith("--", StringComparison.Ordinal));
                var guess = Suggestions.Nearest(token.Split('=')[0], names);
                return guess is null ? $"unknown option {Echo.Quote(token)}" : $"unknown option {Echo.Quote(token)}; did you mean '{guess}'?";
            }

            return $"unexpected argument {Echo.Quote(token)}";
        }

        return parse.Errors.Count == 0 ? "invalid arguments" : parse.Errors[0].Message.TrimEnd('.');
    }

    private static string FormatOptionError(string message, OptionResult option)
    {
        var name = option.Option.Name;
        if (message.StartsWith(name + ":", StringComparison.Ordinal))
        {
            return message;
        }

        if (option.Option is VersionOption)
        {
            return "--version cannot be combined with other options";
        }

        if (option.Tokens.Count == 0 && option.Option.Arity.MinimumNumberOfValues > 0)
        {
            return $"{name}: needs a value";
        }

        if (option.Tokens.Count > 1 && option.Option.Arity.MaximumNumberOfValues == 1)
        {
            return $"{name}: given more than once";
        }

        return $"{name}: {message.TrimEnd('.')}";
    }
}
