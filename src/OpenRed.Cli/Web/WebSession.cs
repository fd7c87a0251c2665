namespace OpenRed.Cli.Web;

/// <summary>GET /v1/web/session: what a page needs before it changes anything.</summary>
internal sealed record WebSession(string Csrf, string NodeId, string Fingerprint, string Version);
