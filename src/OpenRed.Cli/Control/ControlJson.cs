using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenRed.Cli.Control;

/// <summary>The JSON of the control API: snake_case, nulls left out, as the prompt's <c>--json</c>.</summary>
internal static class ControlJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,

        // Read by programs and people, never embedded in HTML: '+' and '<' stay as they are.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

/// <summary>POST /v1/command. Without <see cref="Width"/> the output is the piped prompt's (plain); with it, a terminal's.</summary>
internal sealed record CommandRequest(string? Line, int? Width = null, bool Ansi = false);

/// <summary>What the prompt printed, and its status: 0 ok, 1 failed, 2 usage. <see cref="Quit"/>: the node now stops.</summary>
internal sealed record CommandResponse(int ExitCode, string Stdout, string Stderr, bool Quit);

/// <summary>POST /v1/complete: the words before the one being completed, and its start.</summary>
internal sealed record CompleteRequest(IReadOnlyList<string>? Words, string? Prefix);

internal sealed record CompleteResponse(IReadOnlyList<string> Candidates);

internal sealed record ErrorResponse(string Error);

/// <summary>GET /v1: what this socket serves.</summary>
internal sealed record IndexResponse(string NodeId, string Fingerprint, string Version, IReadOnlyList<string> Endpoints, IReadOnlyList<string> Listings);

/// <summary>
/// One node event on GET /v1/events (the SSE <c>data:</c> line). <see cref="Text"/> is the line the terminal prompt
/// prints for it (peer text not yet made visible: the reader escapes it for its screen).
/// </summary>
internal sealed record EventJson(
    string Type,
    long AtMs,
    string? Text,
    string? NodeId = null,
    string? Fingerprint = null,
    string? Sector = null,
    string? Address = null,
    string? Direction = null,
    string? Reason = null);
