using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core.Modules;
using OpenRed.Core.Storage;
using OpenRed.Core.Tests.Storage;

namespace OpenRed.Core.Tests.Modules;

public sealed class ModuleSchemaTests
{
    private static readonly Migration[] Steps =
    [
        new(1, "a", "CREATE TABLE a (x INTEGER) STRICT;"),
        new(2, "b", "CREATE TABLE b (y INTEGER) STRICT;"),
    ];

    [Fact]
    public void Apply_RunsEachStepOnce_PerModule()
    {
        using var dir = new TempDir();
        using var db = NodeDatabase.Open(Path.Combine(dir.Path, "n.db"), NullLogger.Instance);

        ModuleSchema.Apply(db, "one", Steps, NullLogger.Instance).Should().Be(2);
        ModuleSchema.Apply(db, "one", Steps, NullLogger.Instance).Should().Be(2);

        // Another module numbers its own steps from 1: versions are per module.
        ModuleSchema.Apply(db, "two", [new Migration(1, "c", "CREATE TABLE c (z INTEGER) STRICT;")], NullLogger.Instance).Should().Be(1);
    }

    [Fact]
    public void Apply_FailingStep_RollsBackWithItsVersion()
    {
        using var dir = new TempDir();
        using var db = NodeDatabase.Open(Path.Combine(dir.Path, "n.db"), NullLogger.Instance);
        ModuleSchema.Apply(db, "one", Steps[..1], NullLogger.Instance);

        var act = () => ModuleSchema.Apply(db, "one", [Steps[0], new Migration(2, "bad", "CREATE TABLE d (x); SELECT * FROM nowhere;")], NullLogger.Instance);

        act.Should().Throw<Microsoft.Data.Sqlite.SqliteException>();
        ModuleSchema.Apply(db, "one", Steps, NullLogger.Instance).Should().Be(2);
    }

    [Fact]
    public void Apply_DatabaseNewerThanProgram_IsRefused()
    {
        using var dir = new TempDir();
        using var db = NodeDatabase.Open(Path.Combine(dir.Path, "n.db"), NullLogger.Instance);
        ModuleSchema.Apply(db, "one", Steps, NullLogger.Instance);

        var act = () => ModuleSchema.Apply(db, "one", Steps[..1], NullLogger.Instance);

        act.Should().Throw<InvalidOperationException>().WithMessage("*one schema version 2, newer than this openred (1)*");
    }
}
