using OpenRed.Cli.Repl;

namespace OpenRed.IntegrationTests.Cli;

public sealed class SuggestionsTests
{
    private static readonly string[] Commands = ["status", "help", "quit", "exit", "peers", "map"];

    [Theory]
    [InlineData("staus", "status")]
    [InlineData("stauts", "status")]
    [InlineData("STATUS", "status")]
    [InlineData("hlep", "help")]
    [InlineData("qiut", "quit")]
    [InlineData("peer", "peers")]
    [InlineData("stat", "status")]
    public void Nearest_FindsTypo(string typed, string expected) => Suggestions.Nearest(typed, Commands).Should().Be(expected);

    [Theory]
    [InlineData("xyzzy")]
    [InlineData("connectify")]
    public void Nearest_FarWord_None(string typed) => Suggestions.Nearest(typed, Commands).Should().BeNull();

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "acb", 1)]
    [InlineData("kitten", "sitting", 3)]
    public void Distance_IsOptimalStringAlignment(string a, string b, int d) => Suggestions.Distance(a, b).Should().Be(d);
}
