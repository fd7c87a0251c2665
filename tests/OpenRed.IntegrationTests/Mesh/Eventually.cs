namespace OpenRed.IntegrationTests.Mesh;

/// <summary>Waits for a condition on live state (session tables, maps) that no single event announces.</summary>
internal static class Eventually
{
    public static async Task True(Func<bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met within " + within);
            }

            await Task.Delay(20);
        }
    }
}
