using System.Security.Cryptography;

namespace OpenRed.Bench.Scenarios;

/// <summary>AES-256-GCM seal speed on one core for a given frame size: the ceiling of one session's send loop.</summary>
internal static class AeadCost
{
    /// <summary>Plaintext MB (10^6 bytes) a second that one thread seals.</summary>
    public static double SealMBps(int size, TimeSpan duration)
    {
        using var aes = new AesGcm(RandomNumberGenerator.GetBytes(32), 16);
        var plaintext = RandomNumberGenerator.GetBytes(size);
        var ciphertext = new byte[size];
        var tag = new byte[16];
        var nonce = new byte[12];
        var us = CryptoCost.PerCall(duration, () =>
        {
            nonce[0]++;
            aes.Encrypt(nonce, plaintext, ciphertext, tag);
        });
        return size / us;
    }
}
