namespace OpenRed.IntegrationTests.Lab;

/// <summary>How the lab's hosts are wired (see scripts/lab.sh).</summary>
public enum LabTopology
{
    /// <summary>All hosts on one bridge, host i at 10.77.0.i.</summary>
    Flat,

    /// <summary>
    /// Two bridges joined only through host 1 (eth0 on bridge 1 = 10.77.0.1, eth1 on bridge 2 = 10.77.1.1);
    /// hosts 2..N split in halves, first half on bridge 1 (10.77.0.i), rest on bridge 2 (10.77.1.i).
    /// Nothing forwards between the bridges, so multicast and unicast cannot cross.
    /// </summary>
    Spider,
}
