using System.Net;
using System.Net.Sockets;

namespace OpenRed.IntegrationTests.Cli;

public sealed class StartFailureProcessTests
{
    [Fact]
    public async Task CorruptKeyFile_Exit1_NamesPath_LeavesFileUnchanged()
    {
        using var dir = new TempDirectory();
        var data = dir.CreateSub("n");
        var key = Path.Combine(data, "identity.pem");
        await File.WriteAllTextAsync(key, "not a key\n");

        var run = await OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", data], "status\n");

        run.ExitCode.Should().Be(1, run.ToString());
        run.StderrLines.Should().ContainSingle(run.ToString()).Which.Should().StartWith("openred: ").And.Contain(key);
        run.StdoutLines.Should().BeEmpty();
        (await File.ReadAllTextAsync(key)).Should().Be("not a key\n");
    }

    [Fact]
    public async Task ForeignKeyType_Exit1_NamesPath()
    {
        using var dir = new TempDirectory();
        var data = dir.CreateSub("n");
        var key = Path.Combine(data, "identity.pem");
        using (var ec = System.Security.Cryptography.ECDsa.Create())
        {
            await File.WriteAllTextAsync(key, ec.ExportPkcs8PrivateKeyPem());
        }

        var before = await File.ReadAllBytesAsync(key);

        var run = await OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", data], "status\n");

        run.ExitCode.Should().Be(1, run.ToString());
        run.StderrLines.Should().ContainSingle(run.ToString()).Which.Should().Contain(key);
        (await File.ReadAllBytesAsync(key)).Should().Equal(before);
    }

    [Fact]
    public async Task SecondProcessOnSameDataDirectory_Exit1_NamesDirectory()
    {
        using var dir = new TempDirectory();
        await using var first = await OpenRedProcess.StartNodeAsync(dir.Sub("n"), "--daemon");

        var second = await OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", dir.Sub("n")], "status\n");

        second.ExitCode.Should().Be(1, second.ToString());
        second.StderrLines.Should().ContainSingle(second.ToString()).Which.Should().Contain(dir.Sub("n")).And.Contain("in use");
        first.HasExited.Should().BeFalse();
    }

    [Fact]
    public async Task BusyPort_Exit1_OneLine()
    {
        using var dir = new TempDirectory();
        using var busy = new TcpListener(IPAddress.Any, 0);
        busy.Start();
        var port = ((IPEndPoint)busy.LocalEndpoint).Port;

        var run = await OpenRedProcess.RunAsync(["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-lighthouse", "--data-dir", dir.Sub("n")], "status\n");

        run.ExitCode.Should().Be(1, run.ToString());
        run.StderrLines.Should().ContainSingle(run.ToString()).Which.Should().Contain($"port {port}").And.Contain("in use");
    }

    [Fact]
    public async Task DataDirectoryIsAFile_Exit1_NamesIt()
    {
        using var dir = new TempDirectory();
        var file = dir.Sub("file");
        await File.WriteAllTextAsync(file, "x");

        var run = await OpenRedProcess.RunAsync(["--port", "0", "--no-lighthouse", "--data-dir", file], "status\n");

        run.ExitCode.Should().Be(1, run.ToString());
        run.StderrLines.Should().ContainSingle(run.ToString()).Which.Should().Contain(file);
    }
}
