namespace OpenRed.Core.Phoenix.Internal;

/// <summary>A URN resolved into the store: its record, the step that produced it, and who supplied it.</summary>
internal sealed record Resolution(RecordInfo Info, ResurrectStage Stage, IReadOnlyList<UrnHolder> Holders, string? Warning);
