using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core.Identity;
using OpenRed.Core.Modules;
using OpenRed.Core.Social.Internal;
using OpenRed.Core.Storage;
using OpenRed.Core.Tests.Storage;

namespace OpenRed.Core.Tests.Social;

/// <summary>A social store on a fresh database with the module's migration applied.</summary>
internal sealed class StoreFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public StoreFixture()
    {
        Database = NodeDatabase.Open(Path.Combine(_dir.Path, "n.db"), NullLogger.Instance);
        ModuleSchema.Apply(Database, "social", SocialSchema.All, NullLogger.Instance);
        Store = new SocialStore(Database);
    }

    public NodeDatabase Database { get; }

    public SocialStore Store { get; }

    public static DateTimeOffset T(int seconds) => DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + seconds);

    public static Fingerprint Fp(int n)
    {
        var bytes = new byte[32];
        bytes[0] = (byte)(n >> 8);
        bytes[1] = (byte)n;
        bytes[31] = 0xAA;
        return Fingerprint.FromBytes(bytes);
    }

    public static byte[] Id(int n) => [.. Enumerable.Repeat((byte)n, 15), 1];

    public void Dispose()
    {
        Store.Dispose();
        Database.Dispose();
        _dir.Dispose();
    }
}
