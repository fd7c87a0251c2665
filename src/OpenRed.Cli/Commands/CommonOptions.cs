using System.CommandLine;

namespace OpenRed.Cli.Commands;

/// <summary>Options shared by several commands; each call returns a new instance to add to one command.</summary>
internal static class CommonOptions
{
    public const string JsonName = "--json";

    public static Option<bool> Json() => new(JsonName)
    {
        Description = "Print one JSON document on one line (snake_case fields, times in ms since the epoch, sizes in bytes)",
    };
}
