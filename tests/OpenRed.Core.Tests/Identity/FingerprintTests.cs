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

/// <summary>Issue 11: the hash code must depend on all 32 bytes, which peers choose (by choosing keys).</summary>
public sealed class FingerprintHashTests
{
    [Fact]
    public void GetHashCode_SameFirstFourBytes_Differs()
    {
        var codes = Enumerable.Range(0, 64).Select(i =>
        {
            var bytes = new byte[Fingerprint.Length];
            bytes[31] = (byte)i;
            return Fingerprint.FromBytes(bytes).GetHashCode();
        }).ToHashSet();

        codes.Count.Should().BeGreaterThan(60, "fingerprints that share their first four bytes must not share one bucket");
    }

    [Fact]
    public void GetHashCode_EqualFingerprints_Equal()
    {
        var bytes = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        Fingerprint.FromBytes(bytes).GetHashCode().Should().Be(Fingerprint.FromBytes(bytes).GetHashCode());
    }
}
