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

    /// <summary>Returns the whole frame: length || ciphertext || tag.</summary>
    public byte[] Seal(ReadOnlySpan<byte> plaintext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (plaintext.IsEmpty || plaintext.Length > WireLimits.MaxPlaintext)
        {
            throw new ArgumentException($"plaintext must be 1..{WireLimits.MaxPlaintext} bytes", nameof(plaintext));
        }

        var bodyLength = plaintext.Length + WireLimits.TagBytes;
        var frame = new byte[WireLimits.LengthPrefixBytes + bodyLength];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)bodyLength);
        Span<byte> nonce = stackalloc byte[NonceBytes];
        WriteNonce(nonce);
        var body = frame.AsSpan(WireLimits.LengthPrefixBytes);
        _aes.Encrypt(nonce, plaintext, body[..plaintext.Length], body[plaintext.Length..], frame.AsSpan(0, WireLimits.LengthPrefixBytes));
        Advance(plaintext.Length);
        return frame;
    }

    /// <summary>Opens one frame body; throws <see cref="ProtocolViolationException"/> when it does not authenticate.</summary>
    public byte[] Open(ReadOnlySpan<byte> lengthBytes, ReadOnlySpan<byte> body)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (lengthBytes.Length != WireLimits.LengthPrefixBytes
            || BinaryPrimitives.ReadUInt32BigEndian(lengthBytes) != (uint)body.Length
            || body.Length < WireLimits.TransportFrameMin
            || body.Length > WireLimits.TransportFrameMax)
        {
            throw new ProtocolViolationException($"transport frame of {body.Length} bytes is malformed");
        }

        var plaintext = new byte[body.Length - WireLimits.TagBytes];
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
        return plaintext;
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
