namespace OpenRed.Core;

/// <summary>The node cannot start; <see cref="Exception.Message"/> is one line fit for the user.</summary>
public sealed class NodeStartException : Exception
{
    public NodeStartException(NodeStartFailure failure, string message, Exception? inner = null)
        : base(message, inner) => Failure = failure;

    public NodeStartException() { }

    public NodeStartException(string message) : base(message) { }

    public NodeStartException(string message, Exception inner) : base(message, inner) { }

    public NodeStartFailure Failure { get; }
}
