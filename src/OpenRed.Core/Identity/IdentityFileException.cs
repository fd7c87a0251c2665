namespace OpenRed.Core.Identity;

/// <summary>The key file exists but cannot be used; the node must not start, and must not overwrite it.</summary>
public sealed class IdentityFileException : Exception
{
    public IdentityFileException(string path, string reason)
        : base($"identity key file {path}: {reason}")
    {
        Path = path;
        Reason = reason;
    }

    public IdentityFileException() { }

    public IdentityFileException(string message) : base(message) { }

    public IdentityFileException(string message, Exception inner) : base(message, inner) { }

    public string Path { get; } = "";

    public string Reason { get; } = "";
}
