using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core.Storage;

namespace OpenRed.Core.Tests.Storage;

public sealed class RememberedLabelsTests
{
    [Fact]
    public void Resolve_FirstStart_FallbacksAreUsedAndRemembered()
    {
        using var dir = new TempDir();
        using var db = NodeDatabase.Open(dir.Sub("openred.db"), NullLogger.Instance);

        var labels = RememberedLabels.Resolve(db, "host", nodeIdIsFallback: true, "general", sectorIsFallback: true, NullLogger.Instance);

        labels.Should().Be(("host", "general"));
        (db.GetMeta(RememberedLabels.NodeIdKey), db.GetMeta(RememberedLabels.SectorKey)).Should().Be(("host", "general"));
    }

    [Fact]
    public void Resolve_Fallbacks_GiveWayToRememberedValues()
    {
        using var dir = new TempDir();
        using var db = NodeDatabase.Open(dir.Sub("openred.db"), NullLogger.Instance);
        RememberedLabels.Resolve(db, "alice", nodeIdIsFallback: false, "family", sectorIsFallback: false, NullLogger.Instance);

        var labels = RememberedLabels.Resolve(db, "host", nodeIdIsFallback: true, "general", sectorIsFallback: true, NullLogger.Instance);

        labels.Should().Be(("alice", "family"));
    }

    [Fact]
    public void Resolve_ExplicitValues_OverrideAndAreRemembered()
    {
        using var dir = new TempDir();
        using var db = NodeDatabase.Open(dir.Sub("openred.db"), NullLogger.Instance);
        RememberedLabels.Resolve(db, "alice", nodeIdIsFallback: false, "family", sectorIsFallback: false, NullLogger.Instance);

        var overridden = RememberedLabels.Resolve(db, "host", nodeIdIsFallback: true, "work", sectorIsFallback: false, NullLogger.Instance);
        var later = RememberedLabels.Resolve(db, "host", nodeIdIsFallback: true, "general", sectorIsFallback: true, NullLogger.Instance);

        overridden.Should().Be(("alice", "work"));
        later.Should().Be(("alice", "work"));
    }

    [Fact]
    public void Resolve_InvalidRememberedValue_IsReplaced()
    {
        using var dir = new TempDir();
        using var db = NodeDatabase.Open(dir.Sub("openred.db"), NullLogger.Instance);
        db.SetMeta(RememberedLabels.NodeIdKey, "bad id\u001b");
        db.SetMeta(RememberedLabels.SectorKey, "UPPER");

        var labels = RememberedLabels.Resolve(db, "host", nodeIdIsFallback: true, "general", sectorIsFallback: true, NullLogger.Instance);

        labels.Should().Be(("host", "general"));
        db.GetMeta(RememberedLabels.NodeIdKey).Should().Be("host");
    }
}
