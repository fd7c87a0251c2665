using Google.Protobuf;
using OpenRed.Core.Wire;
using OpenRed.Core.Wire.Internal;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Security.Internal;

/// <summary>Pure helpers over envelope bytes and the envelopes the session writes itself.</summary>
internal static class SessionEnvelopes
{
    private const int ReplyToField = 2;

    public static readonly byte[] RekeyPlaintext = new Envelope { Rekey = new Rekey() }.ToByteArray();

    /// <summary>
    /// Parses a transport plaintext. <paramref name="unknownBody"/> is true when the body is a field this version
    /// does not know (a future oneof member); an envelope with no body at all is a violation.
    /// </summary>
    public static Envelope Parse(byte[] plaintext, out bool unknownBody) => Parse(plaintext.AsSpan(), out unknownBody);

    /// <summary>
    /// As <see cref="Parse(byte[], out bool)"/>, from a span: the envelope keeps copies of the bytes it holds, so
    /// the span's buffer may be reused once this returns.
    /// </summary>
    public static Envelope Parse(ReadOnlySpan<byte> plaintext, out bool unknownBody) =>
        Parse(plaintext, EnvelopeGuard.Default, EnvelopeLimits.Default.MaxReasonBytes, out unknownBody);

    /// <summary>
    /// Checks the limits on the bytes first (<paramref name="guard"/>), then parses, then cuts the free-text fields
    /// the session itself reads (Goodbye.reason, Error.message) to <paramref name="maxReasonBytes"/>.
    /// </summary>
    public static Envelope Parse(ReadOnlySpan<byte> plaintext, EnvelopeGuard guard, int maxReasonBytes, out bool unknownBody)
    {
        guard.Check(plaintext);
        var envelope = ParseChecked(plaintext, out unknownBody);
        switch (envelope.BodyCase)
        {
            case Envelope.BodyOneofCase.Goodbye:
                envelope.Goodbye.Reason = WireText.TruncateUtf8(envelope.Goodbye.Reason, maxReasonBytes);
                break;
            case Envelope.BodyOneofCase.Error:
                envelope.Error.Message = WireText.TruncateUtf8(envelope.Error.Message, maxReasonBytes);
                break;
        }

        return envelope;
    }

    /// <summary>
    /// As <see cref="Parse(ReadOnlySpan{byte}, EnvelopeGuard, int, out bool)"/>, over an array the caller gives up:
    /// a ChunkData envelope then keeps its data in that array instead of a copy.
    /// </summary>
    public static Envelope ParseOwned(byte[] plaintext, EnvelopeGuard guard, int maxReasonBytes, out bool unknownBody)
    {
        guard.Check(plaintext);
        if (ChunkDataReader.TryParse(plaintext, 0, plaintext.Length, out var chunk))
        {
            unknownBody = false;
            return chunk!;
        }

        return Parse(plaintext, guard, maxReasonBytes, out unknownBody);
    }

    private static Envelope ParseChecked(ReadOnlySpan<byte> plaintext, out bool unknownBody)
    {
        Envelope envelope;
        try
        {
            envelope = Envelope.Parser.ParseFrom(plaintext);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ProtocolViolationException("envelope does not parse", e);
        }

        unknownBody = false;
        if (envelope.BodyCase == Envelope.BodyOneofCase.None)
        {
            // Rare (a future body or a violation), so the copy CodedInputStream needs does not matter.
            if (!HasFieldBeyondHeader(plaintext.ToArray()))
            {
                throw new ProtocolViolationException("envelope has no body");
            }

            unknownBody = true;
        }

        return envelope;
    }

    /// <summary>True when the bytes hold any field other than id and reply_to.</summary>
    public static bool HasFieldBeyondHeader(byte[] plaintext)
    {
        var input = new CodedInputStream(plaintext);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) > ReplyToField)
            {
                return true;
            }

            input.SkipLastField();
        }

        return false;
    }

    /// <summary>Content is what an initiator may not send before the responder has proved itself (section 5).</summary>
    public static bool IsContent(Envelope envelope) => envelope.BodyCase is not (
        Envelope.BodyOneofCase.Ping or Envelope.BodyOneofCase.Pong or Envelope.BodyOneofCase.Rekey or Envelope.BodyOneofCase.Goodbye);

    public static Envelope ErrorReply(ulong requestId, ErrorCode code, string message) =>
        new() { ReplyTo = requestId, Error = new Error { Code = code, Message = message } };

    public static Envelope PongReply(Envelope ping) =>
        new() { ReplyTo = ping.Id, Pong = new Pong { TimeMs = ping.Ping.TimeMs } };
}
