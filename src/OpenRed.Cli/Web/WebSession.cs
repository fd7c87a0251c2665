namespace OpenRed.Cli.Web;

/// <summary>
/// GET /v1/web/session: what a page needs before it changes anything. <see cref="MaxUploadBytes"/> lets it refuse
/// a file too large before sending it (the listener closes the connection on a body over the limit).
/// </summary>
internal sealed record WebSession(string Csrf, string NodeId, string Fingerprint, string Version, long MaxUploadBytes);
