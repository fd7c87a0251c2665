using System.Text.Json;
using Google.Protobuf;
using OpenRed.Core.Security.Internal;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Tests.Security;

/// <summary>Section 10: the four transport frames from I and the key after the rekey, byte for byte.</summary>
public sealed class TransportVectorTests
{
    private const ulong PingTime = 1700000000000;
    private readonly JsonElement _session;
    private readonly JsonElement _transport;

    public TransportVectorTests()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestData.Path("vectors/handshake.json")));
        _session = doc.RootElement.GetProperty("session").Clone();
        _transport = doc.RootElement.GetProperty("transport").Clone();
    }

    [Fact]
    public void Envelopes_EncodeAsVectors()
    {
        Ping(1).ToByteArray().Should().Equal(Transport("ping_envelope_id1"));
        Ping(2).ToByteArray().Should().Equal(Transport("ping_envelope_id2"));
        Ping(3).ToByteArray().Should().Equal(Transport("ping_envelope_id3"));
        new Envelope { Rekey = new Rekey() }.ToByteArray().Should().Equal(Transport("rekey_envelope"));
        SessionEnvelopes.RekeyPlaintext.Should().Equal(0x62, 0x00);
    }

    [Fact]
    public void Seal_ReproducesFramesAcrossRekey()
    {
        using var cipher = new FrameCipher(Session("k_i2r"));

        cipher.Seal(Ping(1).ToByteArray()).Should().Equal(Transport("first_frame_i2r_ping_id1"));
        cipher.Seal(Ping(2).ToByteArray()).Should().Equal(Transport("second_frame_i2r_ping_id2"));
        cipher.Seal(SessionEnvelopes.RekeyPlaintext).Should().Equal(Transport("third_frame_i2r_carrying_rekey"));
        cipher.FramesUnderKey.Should().Be(3);
        cipher.BytesUnderKey.Should().Be(11 + 11 + 2);

        cipher.Rekey();

        cipher.CurrentKey.ToArray().Should().Equal(Transport("k_i2r_after_rekey"));
        cipher.Counter.Should().Be(0);
        cipher.FramesUnderKey.Should().Be(0);
        cipher.Seal(Ping(3).ToByteArray()).Should().Equal(Transport("first_frame_i2r_after_rekey_ping_id3"));
    }

    [Fact]
    public void Open_ReadsFramesAcrossRekey()
    {
        using var cipher = new FrameCipher(Session("k_i2r"));

        Open(cipher, "first_frame_i2r_ping_id1").Should().Be(Ping(1));
        Open(cipher, "second_frame_i2r_ping_id2").Should().Be(Ping(2));
        Open(cipher, "third_frame_i2r_carrying_rekey").BodyCase.Should().Be(Envelope.BodyOneofCase.Rekey);
        cipher.Rekey();
        Open(cipher, "first_frame_i2r_after_rekey_ping_id3").Should().Be(Ping(3));
    }

    [Fact]
    public void Open_OutOfOrderFrame_Throws()
    {
        using var cipher = new FrameCipher(Session("k_i2r"));
        var second = Transport("second_frame_i2r_ping_id2");

        var act = () => cipher.Open(second.AsSpan(0, 4), second.AsSpan(4));

        act.Should().Throw<ProtocolViolationException>();
    }

    [Fact]
    public void Open_TamperedLengthOrBody_Throws()
    {
        var frame = Transport("first_frame_i2r_ping_id1");
        for (var i = 4; i < frame.Length; i++)
        {
            using var cipher = new FrameCipher(Session("k_i2r"));
            var copy = (byte[])frame.Clone();
            copy[i] ^= 0x01;
            var act = () => cipher.Open(copy.AsSpan(0, 4), copy.AsSpan(4));
            act.Should().Throw<ProtocolViolationException>($"byte {i} was flipped");
        }
    }

    [Fact]
    public void Open_WrongDirectionKey_Throws()
    {
        using var cipher = new FrameCipher(Session("k_r2i"));
        var frame = Transport("first_frame_i2r_ping_id1");

        var act = () => cipher.Open(frame.AsSpan(0, 4), frame.AsSpan(4));

        act.Should().Throw<ProtocolViolationException>();
    }

    [Fact]
    public void Seal_EmptyOrOversizedPlaintext_Throws()
    {
        using var cipher = new FrameCipher(Session("k_i2r"));

        ((Action)(() => cipher.Seal([]))).Should().Throw<ArgumentException>();
        ((Action)(() => cipher.Seal(new byte[(1024 * 1024) + 1]))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void SealInPlace_ReproducesFramesAcrossRekey()
    {
        using var cipher = new FrameCipher(Session("k_i2r"));

        SealInPlace(cipher, Ping(1).ToByteArray()).Should().Equal(Transport("first_frame_i2r_ping_id1"));
        SealInPlace(cipher, Ping(2).ToByteArray()).Should().Equal(Transport("second_frame_i2r_ping_id2"));
        SealInPlace(cipher, SessionEnvelopes.RekeyPlaintext).Should().Equal(Transport("third_frame_i2r_carrying_rekey"));
        cipher.BytesUnderKey.Should().Be(11 + 11 + 2);
        cipher.Rekey();
        SealInPlace(cipher, Ping(3).ToByteArray()).Should().Equal(Transport("first_frame_i2r_after_rekey_ping_id3"));
    }

    [Fact]
    public void OpenInPlace_ReadsFramesAcrossRekey()
    {
        using var cipher = new FrameCipher(Session("k_i2r"));

        OpenInPlace(cipher, "first_frame_i2r_ping_id1").Should().Be(Ping(1));
        OpenInPlace(cipher, "second_frame_i2r_ping_id2").Should().Be(Ping(2));
        OpenInPlace(cipher, "third_frame_i2r_carrying_rekey").BodyCase.Should().Be(Envelope.BodyOneofCase.Rekey);
        cipher.FramesUnderKey.Should().Be(3);
        cipher.Rekey();
        OpenInPlace(cipher, "first_frame_i2r_after_rekey_ping_id3").Should().Be(Ping(3));
    }

    [Fact]
    public void OpenInPlace_TamperedBodyOrWrongOrder_Throws()
    {
        var frame = Transport("first_frame_i2r_ping_id1");
        for (var i = 4; i < frame.Length; i++)
        {
            using var cipher = new FrameCipher(Session("k_i2r"));
            var body = frame[4..];
            body[i - 4] ^= 0x01;
            var act = () => cipher.OpenInPlace(body);
            act.Should().Throw<ProtocolViolationException>($"byte {i} was flipped");
        }

        using var fresh = new FrameCipher(Session("k_i2r"));
        var second = Transport("second_frame_i2r_ping_id2")[4..];
        ((Action)(() => fresh.OpenInPlace(second))).Should().Throw<ProtocolViolationException>();
    }

    [Fact]
    public void InPlace_OutOfBoundsLengths_Throw()
    {
        using var cipher = new FrameCipher(Session("k_i2r"));

        ((Action)(() => cipher.SealInPlace(new byte[4 + 16]))).Should().Throw<ArgumentException>();
        ((Action)(() => cipher.SealInPlace(new byte[4 + (1024 * 1024) + 1 + 16]))).Should().Throw<ArgumentException>();
        ((Action)(() => cipher.OpenInPlace(new byte[16]))).Should().Throw<ProtocolViolationException>();
        ((Action)(() => cipher.OpenInPlace(new byte[(1024 * 1024) + 17]))).Should().Throw<ProtocolViolationException>();
        cipher.Counter.Should().Be(0);
    }

    private static byte[] SealInPlace(FrameCipher cipher, byte[] plaintext)
    {
        var frame = new byte[FrameCipher.FrameLength(plaintext.Length)];
        plaintext.CopyTo(frame, 4);
        cipher.SealInPlace(frame);
        return frame;
    }

    private Envelope OpenInPlace(FrameCipher cipher, string name)
    {
        var body = Transport(name)[4..];
        var length = cipher.OpenInPlace(body);
        return Envelope.Parser.ParseFrom(body, 0, length);
    }

    private static Envelope Ping(ulong id) => new() { Id = id, Ping = new Ping { TimeMs = PingTime } };

    private Envelope Open(FrameCipher cipher, string name)
    {
        var frame = Transport(name);
        return Envelope.Parser.ParseFrom(cipher.Open(frame.AsSpan(0, 4), frame.AsSpan(4)));
    }

    private byte[] Session(string name) => Convert.FromHexString(_session.GetProperty(name).GetString()!);

    private byte[] Transport(string name) => Convert.FromHexString(_transport.GetProperty(name).GetString()!);
}
