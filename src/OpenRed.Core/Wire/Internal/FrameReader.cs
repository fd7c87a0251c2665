using System.Buffers;
using System.Buffers.Binary;

namespace OpenRed.Core.Wire.Internal;

/// <summary>
/// Transport frames (section 4) from a stream into one reused buffer, for a session's receive loop: each read takes
/// what the socket has (several small frames at once, or a large frame in few reads), and a frame's length and body
/// are parsed where they lie, with no array, timer or cancellation source per frame. The body returned is valid until
/// the next call. The deadline for a frame's body is not kept here: <see cref="PartialSinceTicks"/> says since when a
/// frame has been incomplete, and the session's heartbeat checks it (as Kestrel does), so a frame costs no timer.
/// Not thread-safe: one loop reads; <see cref="PartialSinceTicks"/> and <see cref="PartialLength"/> may be read by others.
/// </summary>
internal sealed class FrameReader : IDisposable
{
    /// <summary>The buffer of a session that only ever sees small frames, and the most a read takes past the current frame.</summary>
    public const int SmallBuffer = 64 * 1024;

    private readonly Stream _stream;
    private readonly int _min;
    private readonly int _max;
    private readonly Func<long> _nowTicks;
    private readonly ArrayPool<byte> _pool;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _partialSince;
    private int _partialLength = -1;

    public FrameReader(Stream stream, int min, int max, Func<long> nowTicks, ArrayPool<byte>? pool = null)
    {
        _stream = stream;
        _min = min;
        _max = max;
        _nowTicks = nowTicks;
        _pool = pool ?? ArrayPool<byte>.Shared;
        _buffer = _pool.Rent(SmallBuffer);
    }

    /// <summary>
    /// UTC ticks since which the reader has been waiting for the rest of an incomplete frame (from its first byte, or
    /// for a frame that began in an earlier read, from when the reader came back for it); 0 when it waits for none.
    /// </summary>
    public long PartialSinceTicks => Volatile.Read(ref _partialSince);

    /// <summary>The length of the incomplete frame's body once its prefix has arrived, else -1.</summary>
    public int PartialLength => Volatile.Read(ref _partialLength);

    /// <summary>
    /// The next frame's body (what follows the length prefix), or an empty memory on a clean end of stream before
    /// any byte of a frame. Throws <see cref="ProtocolViolationException"/> for a length out of bounds or a stream
    /// that ends inside a frame.
    /// </summary>
    public async ValueTask<Memory<byte>> ReadAsync(CancellationToken cancellationToken)
    {
        if (_start == _end && _buffer.Length > 2 * SmallBuffer)
        {
            // A burst of large frames is over (the last body has been used): an idle session keeps a small buffer.
            _pool.Return(_buffer);
            _buffer = _pool.Rent(SmallBuffer);
        }

        while (true)
        {
            var available = _end - _start;
            var needed = WireLimits.LengthPrefixBytes;
            if (available >= WireLimits.LengthPrefixBytes)
            {
                var length = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start));
                if (length < (uint)_min || length > (uint)_max)
                {
                    throw new ProtocolViolationException($"frame length {length} is outside {_min}..{_max}");
                }

                needed += (int)length;
                if (available >= needed)
                {
                    var body = _buffer.AsMemory(_start + WireLimits.LengthPrefixBytes, (int)length);
                    _start += needed;
                    MarkAfterFrame();
                    return body;
                }

                Volatile.Write(ref _partialLength, (int)length);
            }

            if (available > 0 && Volatile.Read(ref _partialSince) == 0)
            {
                // The rest of a frame that came in part with the last one: its clock runs from now, while we wait for
                // the peer, not while our own handler was busy with the frame before it.
                Volatile.Write(ref _partialSince, _nowTicks());
            }

            MakeRoom(needed);
            // Read past the current frame only a little: the next frame's bytes are moved to the front with it.
            var limit = (int)Math.Min(_buffer.Length, (long)_start + needed + SmallBuffer);
            var n = await _stream.ReadAsync(_buffer.AsMemory(_end, limit - _end), cancellationToken);
            if (n == 0)
            {
                if (available == 0)
                {
                    return Memory<byte>.Empty;
                }

                throw new ProtocolViolationException(available < WireLimits.LengthPrefixBytes
                    ? "stream ended inside a frame length"
                    : "stream ended inside a frame");
            }

            if (available == 0)
            {
                Volatile.Write(ref _partialSince, _nowTicks());
            }

            _end += n;
        }
    }

    /// <summary>
    /// The next frame's body in a buffer the caller now owns (rented from this reader's pool; give it back with
    /// <see cref="ReturnBuffer"/>), so that the reader can go on reading while the caller decrypts: a large body keeps
    /// the buffer it was read into, and the reader takes a fresh one with what followed it; a small body is copied.
    /// Null on a clean end of stream before any byte of a frame. Same errors as <see cref="ReadAsync"/>.
    /// </summary>
    public async ValueTask<OwnedFrame?> ReadOwnedAsync(CancellationToken cancellationToken)
    {
        var body = await ReadAsync(cancellationToken);
        if (body.IsEmpty)
        {
            return null;
        }

        if (body.Length < SmallBuffer)
        {
            var copy = _pool.Rent(body.Length);
            body.Span.CopyTo(copy);
            return new OwnedFrame(copy, 0, body.Length);
        }

        // The bytes after the frame (at most a small read) move to a new buffer of the reader's.
        var buffer = _buffer;
        var offset = System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(body, out var segment)
            ? segment.Offset
            : throw new InvalidOperationException("a frame body lies in the reader's array");
        var rest = _end - _start;
        _buffer = _pool.Rent(SmallBuffer);
        buffer.AsSpan(_start, rest).CopyTo(_buffer);
        _start = 0;
        _end = rest;
        return new OwnedFrame(buffer, offset, body.Length);
    }

    /// <summary>Gives back the buffer of an <see cref="OwnedFrame"/> once its body has been used.</summary>
    public void ReturnBuffer(OwnedFrame frame) => _pool.Return(frame.Buffer);

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _start = _end = 0;
        if (buffer.Length > 0)
        {
            _pool.Return(buffer);
        }
    }

    private void MarkAfterFrame()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }

        Volatile.Write(ref _partialSince, 0);
        Volatile.Write(ref _partialLength, -1);
    }

    /// <summary>Makes room from <c>_start</c> for a frame of <paramref name="needed"/> bytes: moves what is there to the front, or grows.</summary>
    private void MakeRoom(int needed)
    {
        if (_start + needed <= _buffer.Length && _end < _buffer.Length)
        {
            return;
        }

        var available = _end - _start;
        var size = Math.Max(_buffer.Length, needed + SmallBuffer);
        if (size > _buffer.Length)
        {
            var grown = _pool.Rent(size);
            _buffer.AsSpan(_start, available).CopyTo(grown);
            _pool.Return(_buffer);
            _buffer = grown;
        }
        else
        {
            _buffer.AsSpan(_start, available).CopyTo(_buffer);
        }

        _start = 0;
        _end = available;
    }
}

/// <summary>A frame body in a rented buffer its holder owns (<see cref="FrameReader.ReadOwnedAsync"/>).</summary>
internal readonly record struct OwnedFrame(byte[] Buffer, int Offset, int Length)
{
    public ReadOnlySpan<byte> Span => Buffer.AsSpan(Offset, Length);
}
