namespace OpenRed.IntegrationTests.Lab;

/// <summary>The outcome of a command run to completion in a lab host or by the lab script.</summary>
public sealed record LabCommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit {ExitCode}; stdout: {StandardOutput.Trim()}; stderr: {StandardError.Trim()}";
}
