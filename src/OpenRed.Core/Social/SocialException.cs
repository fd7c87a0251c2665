namespace OpenRed.Core.Social;

/// <summary>A social operation was refused (not a friend, text too long, a blocked peer); the message is one line for people.</summary>
public sealed class SocialException : Exception
{
    public SocialException(string message) : base(message) { }

    public SocialException() { }

    public SocialException(string message, Exception inner) : base(message, inner) { }
}
