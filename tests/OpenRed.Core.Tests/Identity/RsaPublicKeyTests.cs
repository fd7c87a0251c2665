using System.Security.Cryptography;
using OpenRed.Core.Identity;

namespace OpenRed.Core.Tests.Identity;

/// <summary>Section 2's one-encoding rule: only canonical RSA-2048, e = 65537 SPKIs are accepted.</summary>
public sealed class RsaPublicKeyTests(BadRsaKeys bad) : IClassFixture<BadRsaKeys>
{
    [Theory]
    [InlineData("initiator")]
    [InlineData("responder")]
    public void TryImport_VectorSpki_Accepts(string role)
    {
        var v = Security.HandshakeVector.Load();
        using var rsa = RsaPublicKey.TryImport(v.Hex(role, "spki"), out var error);
        error.Should().BeNull();
        rsa.Should().NotBeNull();
        rsa!.KeySize.Should().Be(2048);
        rsa.ExportSubjectPublicKeyInfo().Should().Equal(v.Hex(role, "spki"));
    }

    [Fact]
    public void TryImport_1024BitKey_Refuses() => Refused(bad.Rsa1024.ExportSubjectPublicKeyInfo()).Should().Contain("RSA-1024");

    [Fact]
    public void TryImport_3072BitKey_Refuses() => Refused(bad.Rsa3072.ExportSubjectPublicKeyInfo()).Should().Contain("RSA-3072");

    [Fact]
    public void TryImport_Exponent3_Refuses() => Refused(bad.SpkiExponent3).Should().Contain("exponent");

    [Fact]
    public void TryImport_TrailingBytes_Refuses() => Refused([.. bad.Good, 0x00]).Should().Contain("trailing");

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("3000")]
    [InlineData("deadbeef")]
    public void TryImport_Garbage_Refuses(string hex) => Refused(Convert.FromHexString(hex));

    [Fact]
    public void TryImport_LongFormLengthWhereShortFits_Refuses()
    {
        // The outer SEQUENCE length 0x0122 written with three length bytes instead of two (BER, not DER).
        var spki = bad.Good;
        spki[..4].Should().Equal(new byte[] { 0x30, 0x82, 0x01, 0x22 });
        Refused([0x30, 0x83, 0x00, 0x01, 0x22, .. spki[4..]]);
    }

    [Fact]
    public void TryImport_AlgorithmWithoutNullParameters_Refuses()
    {
        // rsaEncryption without its NULL parameters: same key, different bytes, so a second fingerprint; refused.
        var spki = bad.Good;
        spki.AsSpan(4, 15).ToArray().Should().Equal(Convert.FromHexString("300d06092a864886f70d0101010500"));
        byte[] stripped = [0x30, 0x82, 0x01, 0x20, .. Convert.FromHexString("300b06092a864886f70d010101"), .. spki[19..]];
        Refused(stripped);
    }

    [Fact]
    public void TryImport_Pkcs1InsteadOfSpki_Refuses() => Refused(bad.Rsa1024.ExportRSAPublicKey());

    [Fact]
    public void TryImport_EcKey_Refuses()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Refused(ec.ExportSubjectPublicKeyInfo());
    }

    private static string Refused(byte[] spki)
    {
        using var rsa = RsaPublicKey.TryImport(spki, out var error);
        rsa.Should().BeNull();
        error.Should().NotBeNullOrEmpty();
        return error!;
    }
}

/// <summary>RSA keys the protocol refuses, made once per test class (3072-bit generation is slow).</summary>
public sealed class BadRsaKeys : IDisposable
{
    private readonly RSA _good = RSA.Create(2048);

    public BadRsaKeys()
    {
        var p = _good.ExportParameters(false);
        using var e3 = RSA.Create();
        e3.ImportParameters(new RSAParameters { Modulus = p.Modulus, Exponent = [0x03] });
        SpkiExponent3 = e3.ExportSubjectPublicKeyInfo();
    }

    public RSA Rsa1024 { get; } = RSA.Create(1024);

    public RSA Rsa3072 { get; } = RSA.Create(3072);

    /// <summary>A 2048-bit modulus with public exponent 3 (public key only: refused before any signature check).</summary>
    public byte[] SpkiExponent3 { get; }

    /// <summary>A fresh copy of an acceptable SPKI, to mangle.</summary>
    public byte[] Good => _good.ExportSubjectPublicKeyInfo();

    public void Dispose()
    {
        _good.Dispose();
        Rsa1024.Dispose();
        Rsa3072.Dispose();
    }
}
