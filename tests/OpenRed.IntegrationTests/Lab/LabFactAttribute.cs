namespace OpenRed.IntegrationTests.Lab;

/// <summary>
/// A fact that needs the network lab; skipped, with the reason lab.sh gave, only where the lab cannot run
/// (no unshare/nsenter/ip, no namespaces, no bridge/veth in the kernel). Set <see cref="RequiresNetem"/> for
/// tests that need tc netem (loss, delay).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class LabFactAttribute : FactAttribute
{
    private bool _requiresNetem;

    public LabFactAttribute()
    {
        if (!NetworkLab.IsSupported)
        {
            Skip = "network lab unavailable: " + NetworkLab.UnsupportedReason;
        }
    }

    public bool RequiresNetem
    {
        get => _requiresNetem;
        set
        {
            _requiresNetem = value;
            if (value && Skip is null && !NetworkLab.NetemSupported)
            {
                Skip = "tc netem unavailable: " + NetworkLab.NetemReport;
            }
        }
    }
}
