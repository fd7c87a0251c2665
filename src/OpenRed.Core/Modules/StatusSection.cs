namespace OpenRed.Core.Modules;

/// <summary>One labelled line of <c>status</c>.</summary>
public sealed record StatusLine(string Label, string Value);

/// <summary>
/// A module's part of <c>status</c>: its lines for people, and its object for <c>status --json</c> (snake_case keys,
/// sizes in bytes, times in ms since the epoch), under the key <see cref="Name"/>.
/// </summary>
public sealed record StatusSection(string Name, IReadOnlyList<StatusLine> Lines, IReadOnlyDictionary<string, object?> Json);
