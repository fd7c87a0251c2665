using System.Security.Cryptography;
using System.Text;
using OpenRed.Core.Identity;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>Closeness of section 8: XOR of a fingerprint with <c>H(name)</c>, compared as a big-endian number.</summary>
internal static class XorDistance
{
    public static byte[] Target(string name) => SHA256.HashData(Encoding.UTF8.GetBytes(name));

    public static int Compare(Fingerprint a, Fingerprint b, byte[] target)
    {
        var x = a.Bytes;
        var y = b.Bytes;
        for (var i = 0; i < target.Length; i++)
        {
            var da = x[i] ^ target[i];
            var db = y[i] ^ target[i];
            if (da != db)
            {
                return da.CompareTo(db);
            }
        }

        return 0;
    }

    /// <summary><paramref name="items"/> closest first.</summary>
    public static List<T> Closest<T>(IEnumerable<T> items, Func<T, Fingerprint> key, string name)
    {
        var target = Target(name);
        var list = items.ToList();
        list.Sort((a, b) => Compare(key(a), key(b), target));
        return list;
    }
}
