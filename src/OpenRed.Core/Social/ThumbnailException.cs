namespace OpenRed.Core.Social;

/// <summary>A photo could not be made into a thumbnail; the message is one line for people.</summary>
public sealed class ThumbnailException : Exception
{
    public ThumbnailException(string message) : base(message) { }

    public ThumbnailException() { }

    public ThumbnailException(string message, Exception inner) : base(message, inner) { }
}
