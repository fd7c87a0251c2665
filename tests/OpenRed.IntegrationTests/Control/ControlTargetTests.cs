using OpenRed.Cli.Control;

namespace OpenRed.IntegrationTests.Control;

/// <summary>How ctl and attach pick the node (as the node picks its data directory) and rebuild the command line.</summary>
public sealed class ControlTargetTests
{
    private static readonly Func<string, string?> Env = name => name switch
    {
        "XDG_DATA_HOME" => "/data",
        _ => null,
    };

    [Theory]
    [InlineData(new[] { "--data-dir", "/srv/a", "status" }, "/srv/a")]
    [InlineData(new[] { "--data-dir=/srv/a", "status" }, "/srv/a")]
    [InlineData(new[] { "--node-id", "alice", "status" }, "/data/openred/alice")]
    [InlineData(new[] { "status" }, "/data/openred/MyHost")]
    public void Parse_PicksTheDataDirectoryAsTheNodeDoes(string[] args, string expected)
    {
        var target = ControlTarget.Parse(args, out var error, () => "MyHost", Env);

        error.Should().BeNull();
        target!.DataDirectory.Should().Be(expected);
        target.Rest.Should().Equal("status");
    }

    [Fact]
    public void Parse_FlagsOfTheCommandStayWithTheCommand()
    {
        var target = ControlTarget.Parse(["--node-id", "alice", "status", "--json"], out _, () => "h", Env);

        target!.Rest.Should().Equal("status", "--json");
    }

    [Theory]
    [InlineData(new[] { "--bogus", "status" }, "unknown option '--bogus'")]
    [InlineData(new[] { "--data-dri", "x" }, "unknown option '--data-dri'; did you mean '--data-dir'?")]
    [InlineData(new[] { "--node-id" }, "--node-id: needs a value")]
    [InlineData(new[] { "--node-id", "-x", "status" }, "--node-id: '-x' is not a valid node-id")]
    public void Parse_BadFlag_OneLine(string[] args, string expected)
    {
        ControlTarget.Parse(args, out var error, () => "h", Env).Should().BeNull();

        error.Should().StartWith(expected);
    }

    [Theory]
    [InlineData(new[] { "connect 10.0.0.7:8080" }, "connect 10.0.0.7:8080")]
    [InlineData(new[] { "status", "--json" }, "status --json")]
    [InlineData(new[] { "disconnect", "" }, "disconnect ''")]
    [InlineData(new[] { "msg", "bob", "it's here" }, "msg bob \"it's here\"")]
    public void CommandLine_OneWordAsTyped_SeveralJoinedAndQuoted(string[] words, string expected) =>
        ControlTarget.CommandLine(words).Should().Be(expected);
}
