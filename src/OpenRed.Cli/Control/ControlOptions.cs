namespace OpenRed.Cli.Control;

/// <summary>The limits of the control socket. Tests shorten the timeouts.</summary>
internal sealed record ControlOptions
{
    /// <summary>A request body larger than this is refused (413); no command line or completion needs more.</summary>
    public long MaxRequestBytes { get; init; } = 64 * 1024;

    /// <summary>A client that opens a connection and does not send its request headers within this is cut off.</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>An idle connection between requests is closed after this.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A body that arrives slower than 240 bytes a second after this grace is cut off (Kestrel: more than 1 s).</summary>
    public TimeSpan BodyRateGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    public int MaxConnections { get; init; } = 64;

    /// <summary>Commands run at once; more wait for a slot.</summary>
    public int MaxConcurrentCommands { get; init; } = 4;

    /// <summary>Events buffered for one event-stream reader; a reader further behind is dropped.</summary>
    public int EventBuffer { get; init; } = 256;

    /// <summary>Event-stream readers at once; one more is refused (503) rather than holding a connection and a buffer.</summary>
    public int MaxEventReaders { get; init; } = 32;

    /// <summary>A reader that takes longer than this to accept one event is dropped.</summary>
    public TimeSpan EventWriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(3);
}
