using System.Text;

namespace OpenRed.Core.Social.Internal;

/// <summary>The text limits of section 9, counted in Unicode scalar values as section 1 says.</summary>
internal static class SocialText
{
    public static int Chars(string text) => text.EnumerateRunes().Count();

    /// <summary>Null when the text fits, else why not (one line for people).</summary>
    public static string? TooLong(string what, string text, int maxChars) =>
        Chars(text) > maxChars ? $"{what} is {Chars(text)} characters; at most {maxChars}" : null;

    public static string? ChatProblem(string text, SocialOptions options)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "the message is empty";
        }

        var bytes = Encoding.UTF8.GetByteCount(text);
        return TooLong("the message", text, options.MaxChatTextChars)
            ?? (bytes > options.MaxChatTextBytes ? $"the message is {bytes} bytes; at most {options.MaxChatTextBytes}" : null);
    }
}
