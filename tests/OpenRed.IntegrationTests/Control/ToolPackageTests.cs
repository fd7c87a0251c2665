using System.Diagnostics;
using OpenRed.IntegrationTests.Cli;

namespace OpenRed.IntegrationTests.Control;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PackagingCollection
{
    public const string Name = "Packaging";
}

/// <summary>
/// The .NET tool package: packed from the build the tests run on, installed into a temporary tool path from that
/// folder alone (no network: the tests run in a namespace with loopback only), and run as the command people type.
/// </summary>
[Collection(PackagingCollection.Name)]
[Trait("Category", "Packaging")]
public sealed class ToolPackageTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ToolPackage_InstallsIntoToolPath_OpenredVersionRuns()
    {
        using var dir = new TempDirectory();
        var packages = Path.Combine(dir.Path, "packages");
        var nugetConfig = Path.Combine(dir.Path, "nuget.config");
        await File.WriteAllTextAsync(nugetConfig, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """);

        // Only the folder we packed into: a cached package of the same version must not stand in for this build.
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = Path.Combine(dir.Path, "nuget-cache"),
            ["DOTNET_CLI_HOME"] = Path.Combine(dir.Path, "home"),
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["DOTNET_ROOT"] = Path.GetDirectoryName(Dotnet())!,
        };
        var project = Path.Combine(RepositoryRoot(), "src", "OpenRed.Cli", "OpenRed.Cli.csproj");

        var pack = await RunAsync(Dotnet(), ["pack", project, "-c", Configuration(), "--no-build", "--no-restore", "-o", packages,
            "--disable-build-servers", "-nologo"], environment);
        pack.Code.Should().Be(0, pack.Output);
        Directory.GetFiles(packages, "openred.*.nupkg").Should().ContainSingle();

        var tools = Path.Combine(dir.Path, "tools");
        var install = await RunAsync(Dotnet(), ["tool", "install", "openred", "--tool-path", tools, "--configfile", nugetConfig], environment);
        install.Code.Should().Be(0, install.Output);

        var version = await RunAsync(Path.Combine(tools, "openred"), ["--version"], environment);
        version.Code.Should().Be(0, version.Output);
        version.Output.Should().MatchRegex(@"^\d+\.\d+\.\d+");
    }

    private static string Dotnet()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "/usr/share/dotnet/dotnet";
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "OpenRed.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("OpenRed.sln not found above " + AppContext.BaseDirectory);
    }

    // The configuration the tests were built in is the one whose build output exists to pack.
    private static string Configuration() =>
        AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar).Contains("Debug") ? "Debug" : "Release";

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Limit);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, (await stdout) + (await stderr));
    }
}
