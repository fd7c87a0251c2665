using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using OpenRed.Core.Wire;

namespace OpenRed.Core.Security.Internal;

/// <summary>
/// One direction of a secure session (section 6): AES-256-GCM with nonce = 4 zero bytes || u64 counter and the
/// 4 length bytes as associated data. Not thread-safe: one loop owns each direction.
/// </summary>
internal sealed class FrameCipher : IDisposable
{
    public const int KeyBytes = 32;
    private const int NonceBytes = 12;
    private static readonly byte[] RekeyInfo = Encoding.ASCII.GetBytes("openred/1 rekey");

    private readonly byte[] _key = new byte[KeyBytes];
    private AesGcm _aes;
    private ulong _counter;
    private bool _disposed;

    public FrameCipher(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyBytes)
        {
            throw new ArgumentException($"a session key is {KeyBytes} bytes", nameof(key));
        }

        key.CopyTo(_key);
        _aes = new AesGcm(_key, WireLimits.TagBytes);
    }

    /// <summary>Frames sealed or opened under the current key.</summary>
    public long FramesUnderKey { get; private set; }

    /// <summary>Plaintext bytes sealed or opened under the current key.</summary>
    public long BytesUnderKey { get; private set; }

    /// <summary>The counter the next frame uses.</summary>
    public ulong Counter => _counter;

    /// <summary>The current key, for the vector tests only.</summary>
    internal ReadOnlySpan<byte> CurrentKey => _key;

    /// <summary>The whole frame (length || ciphertext || tag) that a plaintext of this many bytes becomes.</summary>
    public static int FrameLength(int plaintextLength) => WireLimits.LengthPrefixBytes + plaintextLength + WireLimits.TagBytes;

    /// <summary>Returns the whole frame: length || ciphertext || tag.</summary>
    public byte[] Seal(ReadOnlySpan<byte> plaintext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckPlaintextLength(plaintext.Length, nameof(plaintext));
        var frame = new byte[FrameLength(plaintext.Length)];
        plaintext.CopyTo(frame.AsSpan(WireLimits.LengthPrefixBytes));
        SealInPlace(frame);
        return frame;
    }

    /// <summary>
    /// Seals a frame where it lies: <paramref name="frame"/> holds the plaintext after room for the length, and room
    /// for the tag after it (<see cref="FrameLength"/> bytes in all). Writes the length, encrypts over the plaintext
    /// and appends the tag, so the sender needs no second frame-sized buffer.
    /// </summary>
    public void SealInPlace(Span<byte> frame)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var plaintextLength = frame.Length - WireLimits.LengthPrefixBytes - WireLimits.TagBytes;
        CheckPlaintextLength(plaintextLength, nameof(frame));
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(plaintextLength + WireLimits.TagBytes));
        Span<byte> nonce = stackalloc byte[NonceBytes];
        WriteNonce(nonce);
        var text = frame.Slice(WireLimits.LengthPrefixBytes, plaintextLength);
        _aes.Encrypt(nonce, text, text, frame[^WireLimits.TagBytes..], frame[..WireLimits.LengthPrefixBytes]);
        Advance(plaintextLength);
    }

    /// <summary>Opens one frame body; throws <see cref="ProtocolViolationException"/> when it does not authenticate.</summary>
    public byte[] Open(ReadOnlySpan<byte> lengthBytes, ReadOnlySpan<byte> body)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (lengthBytes.Length != WireLimits.LengthPrefixBytes
            || BinaryPrimitives.ReadUInt32BigEndian(lengthBytes) != (uint)body.Length)
        {
            throw new ProtocolViolationException($"transport frame of {body.Length} bytes is malformed");
        }

        CheckBodyLength(body.Length);
        var plaintext = new byte[body.Length - WireLimits.TagBytes];
        Decrypt(lengthBytes, body, plaintext);
        return plaintext;
    }

    /// <summary>
    /// Opens one frame body where it lies and returns the plaintext's length: the plaintext is then the start of
    /// <paramref name="body"/>. The associated data is the body's length, as the frame's prefix carried it. Throws
    /// <see cref="ProtocolViolationException"/> when it does not authenticate (the body is then zeroed).
    /// </summary>
    public int OpenInPlace(Span<byte> body)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckBodyLength(body.Length);
        Span<byte> lengthBytes = stackalloc byte[WireLimits.LengthPrefixBytes];
        BinaryPrimitives.WriteUInt32BigEndian(lengthBytes, (uint)body.Length);
        var plaintextLength = body.Length - WireLimits.TagBytes;
        Decrypt(lengthBytes, body, body[..plaintextLength]);
        return plaintextLength;
    }

    /// <summary>
    /// Opens one frame body (ciphertext || tag, as it lies in the receive buffer) into <paramref name="plaintext"/>,
    /// which must be exactly the body's length less the tag: decryption is then the only pass over the bytes. The
    /// associated data is the body's length, as the frame's prefix carried it. Throws
    /// <see cref="ProtocolViolationException"/> when it does not authenticate (nothing is then written).
    /// </summary>
    public void OpenTo(ReadOnlySpan<byte> body, Span<byte> plaintext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckBodyLength(body.Length);
        if (plaintext.Length != body.Length - WireLimits.TagBytes)
        {
            throw new ArgumentException("the plaintext is the body less the tag", nameof(plaintext));
        }

        Span<byte> lengthBytes = stackalloc byte[WireLimits.LengthPrefixBytes];
        BinaryPrimitives.WriteUInt32BigEndian(lengthBytes, (uint)body.Length);
        Decrypt(lengthBytes, body, plaintext);
    }

    /// <summary>key = Expand(prk = key, "openred/1 rekey", 32); the old key is erased and the counter restarts.</summary>
    public void Rekey()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Span<byte> next = stackalloc byte[KeyBytes];
        HKDF.Expand(HashAlgorithmName.SHA256, _key, next, RekeyInfo);
        next.CopyTo(_key);
        CryptographicOperations.ZeroMemory(next);
        _aes.Dispose();
        _aes = new AesGcm(_key, WireLimits.TagBytes);
        _counter = 0;
        FramesUnderKey = 0;
        BytesUnderKey = 0;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        CryptographicOperations.ZeroMemory(_key);
        _aes.Dispose();
    }

    private static void CheckPlaintextLength(int length, string paramName)
    {
        if (length < 1 || length > WireLimits.MaxPlaintext)
        {
            throw new ArgumentException($"plaintext must be 1..{WireLimits.MaxPlaintext} bytes", paramName);
        }
    }

    private static void CheckBodyLength(int length)
    {
        if (length < WireLimits.TransportFrameMin || length > WireLimits.TransportFrameMax)
        {
            throw new ProtocolViolationException($"transport frame of {length} bytes is malformed");
        }
    }

    /// <summary>Decrypts body (ciphertext || tag) into plaintext, which may be the start of body itself.</summary>
    private void Decrypt(ReadOnlySpan<byte> lengthBytes, ReadOnlySpan<byte> body, Span<byte> plaintext)
    {
        Span<byte> nonce = stackalloc byte[NonceBytes];
        WriteNonce(nonce);
        try
        {
            _aes.Decrypt(nonce, body[..plaintext.Length], body[plaintext.Length..], plaintext, lengthBytes);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new ProtocolViolationException($"frame {_counter} failed to open", e);
        }

        Advance(plaintext.Length);
    }

    private void WriteNonce(Span<byte> nonce)
    {
        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], _counter);
    }

    private void Advance(int plaintextLength)
    {
        // Unreachable with rekeying every 2^24 frames, but a wrapped counter would reuse a nonce.
        if (_counter == ulong.MaxValue)
        {
            throw new InvalidOperationException("frame counter exhausted");
        }

        _counter++;
        FramesUnderKey++;
        BytesUnderKey += plaintextLength;
    }
}
