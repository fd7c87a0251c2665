namespace OpenRed.Core.Storage;

/// <summary>One schema step. <paramref name="Version"/> is what <c>PRAGMA user_version</c> holds after it ran.</summary>
public sealed record Migration(int Version, string Name, string Sql);
