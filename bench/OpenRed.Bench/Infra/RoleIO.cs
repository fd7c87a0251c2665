using System.Text.Json.Nodes;

namespace OpenRed.Bench.Infra;

/// <summary>The child's side of <see cref="Child"/>: one JSON object a line on stdout, one-word commands on stdin.</summary>
internal static class RoleIO
{
    private static readonly Lock Gate = new();

    public static void Emit(string name, JsonObject? fields = null)
    {
        var obj = fields ?? [];
        obj["event"] = name;
        obj["pid"] = Environment.ProcessId;
        var text = obj.ToJsonString();
        lock (Gate)
        {
            Console.Out.WriteLine(text);
            Console.Out.Flush();
        }
    }

    public static void Error(string message) => Emit("error", new JsonObject { ["message"] = message });

    /// <summary>
    /// The next command on stdin, trimmed; end of input reads as "stop", so a child whose parent died exits.
    /// A child waits at most <paramref name="timeout"/>, then acts as if told to stop.
    /// </summary>
    public static async Task<string> NextCommandAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var line = await Console.In.ReadLineAsync(cancellationToken).AsTask().WaitAsync(timeout, cancellationToken);
            return line?.Trim() ?? "stop";
        }
        catch (TimeoutException)
        {
            return "stop";
        }
    }
}
