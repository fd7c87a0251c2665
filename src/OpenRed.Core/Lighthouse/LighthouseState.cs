namespace OpenRed.Core.Lighthouse;

public enum LighthouseState
{
    /// <summary>Turned off by options.</summary>
    Disabled,
    Running,

    /// <summary>The socket or the group join failed: the node runs without discovery. See the status message.</summary>
    Failed,

    /// <summary>Disposed.</summary>
    Stopped,
}
