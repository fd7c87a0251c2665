using OpenRed.Core.Text;

namespace OpenRed.Cli.Control;

/// <summary>
/// <c>openred ctl [--data-dir D | --node-id X] &lt;command line&gt;</c>: one prompt command on the running node,
/// its output exactly as the piped prompt prints it (stdout and stderr apart), and its outcome as the exit code.
/// </summary>
internal static class CtlApp
{
    public const string Usage = """
        Usage: openred ctl [--data-dir <path> | --node-id <id>] <command line>

        Runs one prompt command on the node running on that data directory and prints exactly what the
        prompt prints (--json included). The data directory is chosen as the node chooses it: --data-dir,
        else the default for --node-id, else for the host name.

          openred ctl --node-id alice status --json
          openred ctl --data-dir /srv/openred/alice 'connect 10.0.0.7:8080'

        Exit codes: 0 the command succeeded, 1 it failed, 2 usage error, 3 no node runs there.
        'openred ctl help' lists the prompt's commands.

        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var target = ControlTarget.Parse(args, out var error);
        if (target is null)
        {
            return await UsageErrorAsync("ctl: " + error);
        }

        if (target.Help)
        {
            await Console.Out.WriteAsync(Usage);
            return ExitCodes.Ok;
        }

        if (target.Rest.Count == 0)
        {
            return await UsageErrorAsync("ctl: name the prompt command to run, e.g. 'openred ctl status'");
        }

        using var client = new ControlClient(target.DataDirectory);
        CommandResponse response;
        try
        {
            response = await client.RunAsync(new CommandRequest(ControlTarget.CommandLine(target.Rest)), CancellationToken.None);
        }
        catch (ControlUnreachableException e)
        {
            await Console.Error.WriteLineAsync("openred: " + VisibleText.Escape(e.Message));
            return e.NoNode ? ExitCodes.NoNode : ExitCodes.Failed;
        }
        catch (ControlRefusedException e)
        {
            await Console.Error.WriteLineAsync("openred: " + VisibleText.Escape(e.Message));
            return e.Status is >= 400 and < 500 ? ExitCodes.Usage : ExitCodes.Failed;
        }

        await Console.Out.WriteAsync(response.Stdout);
        await Console.Out.FlushAsync();
        await Console.Error.WriteAsync(response.Stderr);
        return response.ExitCode;
    }

    private static async Task<int> UsageErrorAsync(string message)
    {
        await Console.Error.WriteLineAsync("openred: " + VisibleText.Escape(message));
        await Console.Error.WriteLineAsync("Try 'openred ctl --help'.");
        return ExitCodes.Usage;
    }
}
