using System.Net;
using OpenRed.Cli.Control;

namespace OpenRed.Cli.Web;

/// <summary>Where the dashboard listens, and its limits. Tests shorten the timeouts and take port 0.</summary>
internal sealed record WebOptions
{
    public const int DefaultPort = 8480;

    public static IPEndPoint DefaultEndPoint { get; } = new(IPAddress.Loopback, DefaultPort);

    public IPEndPoint EndPoint { get; init; } = DefaultEndPoint;

    /// <summary>Given with <c>--web-allow-remote</c>: the listener may bind an address other machines reach.</summary>
    public bool AllowRemote { get; init; }

    /// <summary>The /v1 endpoints' limits (JSON bodies, commands, event readers), as on the control socket.</summary>
    public ControlOptions Api { get; init; } = new() { MaxEventReaders = 16 };

    /// <summary>A file published through the page may be this large; it is streamed to disk, never held in memory.</summary>
    public long MaxUploadBytes { get; init; } = 1L << 30;

    /// <summary>Resurrections streaming their progress at once; a page starts one at a time, so more is a runaway script.</summary>
    public int MaxResurrections { get; init; } = 4;

    /// <summary>Lines the log ring keeps for GET /v1/web/log.</summary>
    public int LogLines { get; init; } = 1000;
}
