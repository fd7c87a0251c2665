using System.Text.Json;
using OpenRed.Core.Identity;

namespace OpenRed.Core.Tests.Identity;

public sealed class FingerprintTests
{
    [Fact]
    public void Of_VectorKeys_MatchesSpecFingerprints()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestData.Path("vectors/handshake.json")));
        foreach (var role in new[] { "initiator", "responder" })
        {
            var r = doc.RootElement.GetProperty(role);
            using var id = NodeIdentity.FromPem(File.ReadAllText(TestData.Path("vectors/" + r.GetProperty("private_key_file").GetString())));
            Convert.ToHexStringLower(id.Spki).Should().Be(r.GetProperty("spki").GetString());
            id.Fingerprint.Hex.Should().Be(r.GetProperty("fingerprint").GetString());
        }
    }

    [Theory]
    [InlineData("8df858e3", true)]
    [InlineData("8DF858E30141", true)]
    [InlineData("8df858e", false)]
    [InlineData("8df858ez", false)]
    [InlineData("41a3a912", false)]
    public void MatchesPrefix_NeedsEightHexDigits(string prefix, bool expected)
    {
        Fingerprint.TryParseHex("8df858e30141e74b9a63cdd8aaab03533fc44d13fbd1ec59c26d6f1871e2637d", out var f).Should().BeTrue();
        f!.MatchesPrefix(prefix).Should().Be(expected);
    }
}
