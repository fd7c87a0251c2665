using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core.Identity;
using OpenRed.Core.Security;
using OpenRed.Core.Security.Internal;
using OpenRed.Core.Tests.Support;
using OpenRed.Core.Wire;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Tests.Security;

/// <summary>Builds sessions over in-memory streams with random keys, so no handshake is needed.</summary>
internal static class SessionTestKit
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public static PeerIdentity DummyPeer(string nodeId) => new(Fingerprint.FromBytes(new byte[32]), [], nodeId, "default", 0, false);

    public static (byte[] I2R, byte[] R2I) NewKeyBytes() => (RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));

    public static SessionKeys Keys((byte[] I2R, byte[] R2I) k) => new((byte[])k.I2R.Clone(), (byte[])k.R2I.Clone(), new byte[16]);

    /// <summary>Answers every request with Ack, or ChatReceipt for a ChatMessage.</summary>
    public static async ValueTask AnswerAll(SecureSession session, Envelope envelope, CancellationToken cancellationToken)
    {
        if (envelope.Id == 0)
        {
            return;
        }

        var answer = envelope.BodyCase == Envelope.BodyOneofCase.ChatMessage
            ? new Envelope { ChatReceipt = new ChatReceipt { MessageId = envelope.ChatMessage.MessageId } }
            : new Envelope { Ack = new Ack() };
        await session.ReplyAsync(envelope, answer, cancellationToken);
    }

    public static SecureSession StartOne(
        Stream stream, (byte[] I2R, byte[] R2I) keys, bool isInitiator, SessionOptions? options = null,
        TimeProvider? time = null, SessionRequestHandler? handler = null) =>
        SecureSession.Start(stream, Keys(keys), isInitiator, DummyPeer(isInitiator ? "responder" : "initiator"),
            options ?? SessionOptions.Default, time ?? TimeProvider.System, NullLogger.Instance, handler ?? AnswerAll);

    public static (SecureSession I, SecureSession R) StartPair(
        SessionRequestHandler? initiatorHandler = null, SessionRequestHandler? responderHandler = null,
        SessionOptions? options = null, TimeProvider? time = null, Func<Stream, Stream>? wrapInitiator = null)
    {
        var (a, b) = DuplexPipe.Create();
        var keys = NewKeyBytes();
        var i = StartOne(wrapInitiator is null ? a : wrapInitiator(a), keys, true, options, time, initiatorHandler);
        var r = StartOne(b, keys, false, options, time, responderHandler);
        return (i, r);
    }

    public static Envelope Chat(string id) =>
        new() { ChatMessage = new ChatMessage { MessageId = ByteString.CopyFromUtf8(id), Text = "hello " + id } };

    public static async Task CloseBoth(SecureSession a, SecureSession b)
    {
        using var cts = new CancellationTokenSource(Wait);
        await a.CloseAsync("test over", cts.Token);
        await b.CloseAsync("test over", cts.Token);
    }
}

/// <summary>The far end of a session driven by hand: seals and opens frames with its own ciphers.</summary>
internal sealed class RawPeer : IDisposable
{
    private readonly FrameCipher _send;
    private readonly FrameCipher _receive;

    public RawPeer(Stream stream, ReadOnlySpan<byte> sendKey, ReadOnlySpan<byte> receiveKey)
    {
        Stream = stream;
        _send = new FrameCipher(sendKey);
        _receive = new FrameCipher(receiveKey);
    }

    public Stream Stream { get; }

    public async Task SendPlaintextAsync(byte[] plaintext) => await Stream.WriteAsync(_send.Seal(plaintext));

    public Task SendAsync(Envelope envelope) => SendPlaintextAsync(envelope.ToByteArray());

    public async Task<Envelope?> ReceiveAsync()
    {
        using var cts = new CancellationTokenSource(SessionTestKit.Wait);
        var body = await FrameIO.ReadFrameAsync(
            Stream, WireLimits.TransportFrameMin, WireLimits.TransportFrameMax, SessionTestKit.Wait, TimeProvider.System, cts.Token);
        if (body is null)
        {
            return null;
        }

        var length = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(length, (uint)body.Length);
        var envelope = Envelope.Parser.ParseFrom(_receive.Open(length, body));
        if (envelope.BodyCase == Envelope.BodyOneofCase.Rekey)
        {
            _receive.Rekey();
        }

        return envelope;
    }

    public void Dispose()
    {
        _send.Dispose();
        _receive.Dispose();
        Stream.Dispose();
    }
}

/// <summary>Lets a test drop, duplicate, reorder or alter the frames one side writes (one write is one frame).</summary>
internal sealed class FrameTap(Stream inner, Func<int, byte[], IReadOnlyList<byte[]>> onWrite) : Stream
{
    private int _writes;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        foreach (var chunk in onWrite(_writes++, buffer.ToArray()))
        {
            await inner.WriteAsync(chunk, cancellationToken);
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
