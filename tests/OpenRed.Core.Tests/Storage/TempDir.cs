namespace OpenRed.Core.Tests.Storage;

/// <summary>A fresh directory for one test, removed afterwards.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("openred-core-").FullName;

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
