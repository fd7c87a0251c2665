using System.CommandLine;
using System.CommandLine.Parsing;
using OpenRed.Cli.Repl;

namespace OpenRed.Cli.Startup;

/// <summary>Turns a parse's errors into the one line a person reads: the flag, what is wrong, and a near miss if any.</summary>
internal static class ParseErrorLine
{
    public static string Format(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (parse.UnmatchedTokens.Count > 0)
        {
            var token = parse.UnmatchedTokens[0];
            if (token.StartsWith('-'))
            {
                var names = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal));
                var guess = Suggestions.Nearest(token.Split('=')[0], names);
                return guess is null ? $"unknown option '{token}'" : $"unknown option '{token}'; did you mean '{guess}'?";
            }

            return $"unexpected argument '{token}'";
        }

        var error = parse.Errors[0];
        if (error.SymbolResult is OptionResult option)
        {
            var name = option.Option.Name;
            if (error.Message.StartsWith(name + ":", StringComparison.Ordinal))
            {
                return error.Message;
            }

            if (option.Tokens.Count == 0 && option.Option.Arity.MinimumNumberOfValues > 0)
            {
                return $"{name}: needs a value";
            }

            if (option.Option is VersionOption)
            {
                return "--version cannot be combined with other options";
            }

            if (option.Tokens.Count > 1 && option.Option.Arity.MaximumNumberOfValues == 1)
            {
                return $"{name}: given more than once";
            }

            return $"{name}: {error.Message.TrimEnd('.')}";
        }

        return error.Message.StartsWith("--", StringComparison.Ordinal) ? error.Message : error.Message.TrimEnd('.');
    }
}
