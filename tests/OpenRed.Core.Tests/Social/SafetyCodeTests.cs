using OpenRed.Core.Identity;
using OpenRed.Core.Social;

namespace OpenRed.Core.Tests.Social;

public sealed class SafetyCodeTests
{
    private static Fingerprint Fp(byte fill) => Fingerprint.FromBytes(Enumerable.Repeat(fill, 32).ToArray());

    [Fact]
    public void Code_IsSixGroupsOfFiveDigits()
    {
        SafetyCode.Of(Fp(7)).Should().MatchRegex(@"^\d{5}( \d{5}){5}$");
    }

    [Fact]
    public void Code_IsStableAcrossRunsAndVersions()
    {
        // Fixed here so that a change of the derivation (which would make two versions disagree) fails a test.
        SafetyCode.Of(Fp(0)).Should().Be(Expected);
        SafetyCode.Of(Fp(0)).Should().Be(SafetyCode.Of(Fingerprint.FromBytes(new byte[32])));
    }

    [Fact]
    public void Code_DiffersForFingerprintsOneBitApart()
    {
        var a = new byte[32];
        var b = new byte[32];
        b[31] = 1;

        SafetyCode.Of(Fingerprint.FromBytes(a)).Should().NotBe(SafetyCode.Of(Fingerprint.FromBytes(b)));
    }

    // Computed apart from this code: SHA-256("openred/1 safety code\0" || 32 zero bytes), five bytes a group, mod 100000.
    private const string Expected = "16551 42344 86716 11808 40882 99289";
}
