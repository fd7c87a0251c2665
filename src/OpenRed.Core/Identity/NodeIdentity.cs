using System.Security.Cryptography;

namespace OpenRed.Core.Identity;

/// <summary>A node's RSA key pair, its SPKI and fingerprint. Never logged.</summary>
public sealed class NodeIdentity : IDisposable
{
    private NodeIdentity(RSA key)
    {
        Key = key;
        Spki = key.ExportSubjectPublicKeyInfo();
        Fingerprint = Fingerprint.Of(Spki);
    }

    public RSA Key { get; }

    /// <summary>DER SubjectPublicKeyInfo, as it travels on the wire.</summary>
    public byte[] Spki { get; }

    public Fingerprint Fingerprint { get; }

    public static NodeIdentity Generate() => new(RSA.Create(RsaPublicKey.ModulusBits));

    /// <summary>Loads a PKCS#8 PEM private key; throws <see cref="ArgumentException"/> when it is not one we accept.</summary>
    public static NodeIdentity FromPem(string pem)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw new ArgumentException("not a PEM RSA private key", e);
        }

        if (!RsaPublicKey.IsAcceptable(rsa))
        {
            var size = rsa.KeySize;
            rsa.Dispose();
            throw new ArgumentException($"RSA-{size} or an exponent other than 65537; OpenRed needs RSA-2048 with e = 65537");
        }

        return new NodeIdentity(rsa);
    }

    public string ToPem() => Key.ExportPkcs8PrivateKeyPem();

    public byte[] Sign(string context, ReadOnlySpan<byte> payload) =>
        Signer.Sign(Key, Signer.ContextMessage(context, payload));

    public void Dispose() => Key.Dispose();
}
