namespace OpenRed.IntegrationTests.Lab;

/// <summary>The shape of a lab.</summary>
/// <param name="Hosts">Number of hosts (spider needs at least 3).</param>
/// <param name="Topology">Wiring; ignored when <paramref name="Links"/> is set.</param>
/// <param name="Links">Explicit bridges per host, e.g. <c>["1", "1", "2", "1+2"]</c>; overrides the other two.</param>
public sealed record LabOptions(int Hosts = 2, LabTopology Topology = LabTopology.Flat, IReadOnlyList<string>? Links = null);
