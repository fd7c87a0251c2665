namespace OpenRed.Cli.Web;

/// <summary>The dashboard's listener could not start (address in use, not permitted, …); one line says why.</summary>
internal sealed class WebListenerException : Exception
{
    public WebListenerException(string message) : base(message) { }

    public WebListenerException(string message, Exception inner) : base(message, inner) { }

    public WebListenerException() { }
}
