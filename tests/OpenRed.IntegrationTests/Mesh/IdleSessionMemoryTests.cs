using OpenRed.Core.Identity;
using Xunit.Abstractions;

namespace OpenRed.IntegrationTests.Mesh;

[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;

/// <summary>Runs alone: other tests' allocations would blur the measurement.</summary>
[Collection(nameof(MemoryMeasurement))]
public sealed class IdleSessionMemoryTests(ITestOutputHelper output)
{
    private const int Sessions = 24;

    // Generous on purpose: it catches a per-session buffer of frame size (1 MiB), not small drifts.
    private const long MaxBytesPerSession = 512 * 1024;

    [Fact]
    public async Task IdleSessions_ManagedMemoryPerSession_StaysBounded()
    {
        var keys = Enumerable.Range(0, Sessions + 1).Select(_ => NodeIdentity.Generate()).ToList();
        await using var hub = MeshHarness.Start(keys[0], "hub");
        var spokes = keys.Skip(1).Select((k, i) => MeshHarness.Start(k, $"spoke{i}")).ToList();
        try
        {
            // Warm up one session so JIT and static state are not counted.
            await hub.Mesh.ConnectAsync(spokes[0].Endpoint, null, CancellationToken.None);
            var before = Measure();

            foreach (var spoke in spokes.Skip(1))
            {
                await hub.Mesh.ConnectAsync(spoke.Endpoint, null, CancellationToken.None);
            }

            var after = Measure();
            hub.Mesh.Sessions.Should().HaveCount(Sessions);
            var perSession = (after - before) / (Sessions - 1);
            output.WriteLine($"managed memory per idle session (both ends): {perSession} bytes");
            perSession.Should().BeLessThan(MaxBytesPerSession, "each idle session (both ends here) holds {0} bytes", perSession);
        }
        finally
        {
            foreach (var spoke in spokes)
            {
                await spoke.DisposeAsync();
            }

            keys.ForEach(k => k.Dispose());
        }
    }

    private static long Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
