using Google.Protobuf;

namespace OpenRed.Core.Security.Internal;

/// <summary>Parsing of handshake bodies; a body that is not the expected message is <see cref="HandshakeFailure.Malformed"/>.</summary>
internal static class HandshakeWire
{
    public static T Parse<T>(MessageParser<T> parser, ReadOnlySpan<byte> body, string name)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new HandshakeFailedException(HandshakeFailure.Malformed, name + " is not a valid message", e);
        }
    }

    public static HandshakeFailedException WrongLength(string field, int expected) =>
        new(HandshakeFailure.Malformed, $"{field} is not {expected} bytes");
}
