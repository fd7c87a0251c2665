namespace OpenRed.IntegrationTests.Cli;

/// <summary>A fresh directory under /tmp, removed on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("openred-test-").FullName;
    }

    public string Path { get; }

    /// <summary>A path inside this directory (not created).</summary>
    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process that outlived its test may still write its log; /tmp is cleaned eventually.
        }
    }
}
