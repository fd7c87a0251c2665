using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using Google.Protobuf;
using OpenRed.Bench.Report;
using OpenRed.Core.Security.Internal;
using OpenRed.Core.Wire;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Bench.Scenarios;

/// <summary>
/// Stopwatch splits of the per-frame work a session does on each side, in one thread, without sockets: where the CPU
/// of the throughput figure goes. The steps mirror SecureSession: clone and serialize, seal; open, parse.
/// </summary>
internal static class SessionSplits
{
    public static IReadOnlyList<Figure> Run(int payload, int frames)
    {
        var key = RandomNumberGenerator.GetBytes(FrameCipher.KeyBytes);
        using var seal = new FrameCipher(key);
        using var open = new FrameCipher(key);
        var root = ByteString.CopyFrom(new byte[ChunkFrames.Root]);
        var data = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(payload));
        var lengthBytes = new byte[WireLimits.LengthPrefixBytes];
        long tSerialize = 0, tSeal = 0, tCopyOut = 0, tOpen = 0, tParse = 0;
        for (var i = 0; i < frames; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var plaintext = ChunkFrames.Create(root, data, (uint)i).Clone().ToByteArray();
            var t1 = Stopwatch.GetTimestamp();
            var frame = seal.Seal(plaintext);
            var t2 = Stopwatch.GetTimestamp();
            // What the receive side's frame reader allocates and fills from the socket.
            var body = new byte[frame.Length - WireLimits.LengthPrefixBytes];
            frame.AsSpan(WireLimits.LengthPrefixBytes).CopyTo(body);
            var t3 = Stopwatch.GetTimestamp();
            BinaryPrimitives.WriteUInt32BigEndian(lengthBytes, (uint)body.Length);
            var opened = open.Open(lengthBytes, body);
            var t4 = Stopwatch.GetTimestamp();
            var envelope = SessionEnvelopes.Parse(opened, out _);
            var t5 = Stopwatch.GetTimestamp();
            if (envelope.ChunkData.Data.Length != payload)
            {
                throw new InvalidOperationException("round trip lost bytes");
            }

            tSerialize += t1 - t0;
            tSeal += t2 - t1;
            tCopyOut += t3 - t2;
            tOpen += t4 - t3;
            tParse += t5 - t4;
        }

        double Us(long ticks) => ticks * 1e6 / Stopwatch.Frequency / frames;
        double MBps(long ticks) => payload / Us(ticks);
        var label = payload >= (1 << 20) - 1024 ? "1 MiB" : $"{payload / 1024} KiB";
        return
        [
            new Figure($"split {label}: clone + serialize (sender)", MBps(tSerialize), "MB/s") { Note = $"{Us(tSerialize):0} µs a frame" },
            new Figure($"split {label}: seal (sender)", MBps(tSeal), "MB/s") { Note = $"{Us(tSeal):0} µs a frame" },
            new Figure($"split {label}: new body + copy (receiver)", MBps(tCopyOut), "MB/s") { Note = $"{Us(tCopyOut):0} µs a frame" },
            new Figure($"split {label}: open (receiver)", MBps(tOpen), "MB/s") { Note = $"{Us(tOpen):0} µs a frame" },
            new Figure($"split {label}: parse (receiver)", MBps(tParse), "MB/s") { Note = $"{Us(tParse):0} µs a frame" },
        ];
    }
}
