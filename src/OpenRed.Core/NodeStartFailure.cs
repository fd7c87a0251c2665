namespace OpenRed.Core;

/// <summary>Why a node refused to start; each has one clear message and exit code 1.</summary>
public enum NodeStartFailure
{
    DataDirectory,
    Locked,
    KeyFile,
    Database,
    PortInUse,
    Listen,
}
