namespace OpenRed.Cli;

internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    /// <summary><c>ctl</c> and <c>attach</c>: no node runs on that data directory.</summary>
    public const int NoNode = 3;
}
