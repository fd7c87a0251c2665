using System.Diagnostics;

namespace OpenRed.IntegrationTests.Lab;

/// <summary>Finds and runs scripts/lab.sh; knows once per test run whether the lab (and netem) can run here.</summary>
internal static class LabScript
{
    /// <summary>Exit status of lab.sh when tc netem is unavailable.</summary>
    public const int NetemUnsupportedExitCode = 3;

    private static readonly Lazy<string?> s_path = new(FindScript);
    private static readonly Lazy<LabSupport> s_support = new(Probe);

    public static string? Path => s_path.Value;

    public static LabSupport Support => s_support.Value;

    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var path = Path ?? throw new InvalidOperationException("scripts/lab.sh not found above " + AppContext.BaseDirectory);
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(path);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    public static async Task<LabCommandResult> RunAsync(ProcessStartInfo info, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + info.FileName);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException(
                $"{string.Join(' ', info.ArgumentList)} did not finish within {timeout}; stderr: {await stderr}");
        }

        return new LabCommandResult(process.ExitCode, await stdout, await stderr);
    }

    public static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already exited or disposed by its user
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // exited while we walked its tree
        }
    }

    private static string? FindScript()
    {
        var overridden = Environment.GetEnvironmentVariable("OPENRED_LAB_SCRIPT");
        if (!string.IsNullOrEmpty(overridden))
        {
            return File.Exists(overridden) ? overridden : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "scripts", "lab.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static LabSupport Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return new LabSupport(false, "the lab needs Linux namespaces", false, "no lab");
        }

        if (Path is null)
        {
            return new LabSupport(false, "scripts/lab.sh not found above " + AppContext.BaseDirectory, false, "no lab");
        }

        LabCommandResult result;
        try
        {
            result = RunAsync(StartInfo(["check"]), TimeSpan.FromSeconds(30), CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or TimeoutException)
        {
            return new LabSupport(false, "lab.sh check failed: " + e.Message, false, "no lab");
        }

        // check prints "lab: yes|no (why)" and "netem: yes|no (why)"
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var lab = lines.FirstOrDefault(l => l.StartsWith("lab:", StringComparison.Ordinal)) ?? "lab: no (" + result + ")";
        var netem = lines.FirstOrDefault(l => l.StartsWith("netem:", StringComparison.Ordinal)) ?? "netem: no (unknown)";
        var canRun = result.ExitCode == 0 && lab.StartsWith("lab: yes", StringComparison.Ordinal);
        return new LabSupport(canRun, canRun ? null : lab, netem.StartsWith("netem: yes", StringComparison.Ordinal), netem);
    }
}

/// <summary>What `lab.sh check` found.</summary>
internal sealed record LabSupport(bool CanRun, string? Reason, bool Netem, string NetemReport);
