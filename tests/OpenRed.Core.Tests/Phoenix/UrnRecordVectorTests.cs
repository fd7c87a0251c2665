using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using OpenRed.Core.Identity;
using OpenRed.Core.Phoenix;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Tests.Phoenix;

/// <summary>Spec section 10: vectors/urn-record.json, reproduced byte for byte, and every field bound by the signature.</summary>
public sealed class UrnRecordVectorTests
{
    private static readonly JsonElement V = JsonDocument.Parse(File.ReadAllText(TestData.Path("vectors/urn-record.json"))).RootElement;

    [Fact]
    public void ChunkHashes_FromContentRule_MatchVector()
    {
        var hashes = Hashes(Content());

        hashes.Select(Convert.ToHexStringLower).Should().Equal(V.GetProperty("chunk_hashes").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void SignedInput_FromFields_IsTheVectorsBytes()
    {
        var record = FromFields();

        var input = UrnRecords.SignedInput(record);

        Convert.ToHexStringLower(input).Should().Be(V.GetProperty("signed_input").GetString());
        Convert.ToHexStringLower(SHA256.HashData(input)).Should().Be(V.GetProperty("signed_input_sha256").GetString());
    }

    [Fact]
    public void ContentIdAndPublisher_MatchVector()
    {
        var record = FromFields();

        Convert.ToHexStringLower(UrnRecords.ContentId(record)).Should().Be(V.GetProperty("content_id").GetString());
        UrnRecords.Publisher(record).Hex.Should().Be(V.GetProperty("publisher_fingerprint").GetString());
    }

    [Fact]
    public void VectorSignature_VerifiesWithRealVerifier_AndRecordEncodesToVectorBytes()
    {
        var record = FromFields();

        UrnRecords.Check(record).Should().BeNull();
        Convert.ToHexStringLower(record.ToByteArray()).Should().Be(V.GetProperty("record").GetString());
        UrnRecords.Check(UrnRecord.Parser.ParseFrom(Convert.FromHexString(V.GetProperty("record").GetString()!))).Should().BeNull();
    }

    [Fact]
    public void Create_WithInjectedSigner_SignsTheSpecInput_AndOwnSignatureVerifies()
    {
        using var id = Responder();
        byte[]? signed = null;
        var fields = FromFields();
        var viaVectorSig = UrnRecords.Create(id, fields.Name, fields.Version, fields.MediaType, fields.Size, Hashes(Content()), fields.PublishedAtMs,
            m => { signed = m; return fields.Signature.ToByteArray(); });
        var own = UrnRecords.Create(id, fields.Name, fields.Version, fields.MediaType, fields.Size, Hashes(Content()), fields.PublishedAtMs);

        Convert.ToHexStringLower(signed!).Should().Be(V.GetProperty("signed_input").GetString());
        viaVectorSig.ToByteArray().Should().Equal(fields.ToByteArray());
        UrnRecords.Check(own).Should().BeNull();
    }

    public static TheoryData<string> Alterations() =>
    [
        "name", "publisher_key", "version", "media_type", "size", "chunk_size", "chunk_hash", "chunk_hash_missing", "chunk_hash_extra",
        "chunk_hash_short", "published_at_ms", "signature", "signature_short",
    ];

    [Theory]
    [MemberData(nameof(Alterations))]
    public void Check_AnyFieldAltered_Rejects(string field)
    {
        var record = FromFields();
        switch (field)
        {
            case "name": record.Name = "urn_image_002"; break;
            case "publisher_key":
                using (var other = NodeIdentity.FromPem(File.ReadAllText(TestData.Path("vectors/initiator.pem"))))
                {
                    record.PublisherKey = ByteString.CopyFrom(other.Spki);
                }

                break;
            case "version": record.Version++; break;
            case "media_type": record.MediaType = "image/png"; break;
            case "size": record.Size--; break;
            case "chunk_size": record.ChunkSize = 131072; break;
            case "chunk_hash": record.ChunkHashes[2] = Flip(record.ChunkHashes[2]); break;
            case "chunk_hash_missing": record.ChunkHashes.RemoveAt(2); break;
            case "chunk_hash_extra": record.ChunkHashes.Add(record.ChunkHashes[0]); break;
            case "chunk_hash_short": record.ChunkHashes[0] = ByteString.CopyFrom(record.ChunkHashes[0].Span[..31]); break;
            case "published_at_ms": record.PublishedAtMs++; break;
            case "signature": record.Signature = Flip(record.Signature); break;
            case "signature_short": record.Signature = ByteString.CopyFrom(record.Signature.Span[..255]); break;
        }

        UrnRecords.Check(record).Should().NotBeNull();
    }

    [Theory]
    [InlineData("URN_image", RecordProblem.Name)]
    [InlineData("_urn", RecordProblem.Name)]
    [InlineData("", RecordProblem.Name)]
    [InlineData("image", RecordProblem.MediaType)]
    public void Check_BadTexts_SaysWhich(string value, RecordProblem expected)
    {
        var record = FromFields();
        if (expected == RecordProblem.Name)
        {
            record.Name = value;
        }
        else
        {
            record.MediaType = value;
        }

        UrnRecords.Check(record).Should().Be(expected);
    }

    [Fact]
    public void Check_SizeOver4GiB_Rejected()
    {
        var record = FromFields();
        record.Size = UrnRecords.MaxSize + 1;

        UrnRecords.Check(record).Should().Be(RecordProblem.Size);
    }

    private static ByteString Flip(ByteString b)
    {
        var bytes = b.ToByteArray();
        bytes[^1] ^= 1;
        return ByteString.CopyFrom(bytes);
    }

    private static NodeIdentity Responder() => NodeIdentity.FromPem(File.ReadAllText(TestData.Path("vectors/responder.pem")));

    private static byte[] Content()
    {
        var size = V.GetProperty("size").GetInt32();
        var c = new byte[size];
        for (var i = 0; i < size; i++)
        {
            c[i] = (byte)((i * 31 + 7) & 0xff);
        }

        return c;
    }

    private static List<byte[]> Hashes(byte[] content) =>
        [.. content.Chunk(UrnRecords.ChunkSize).Select(c => SHA256.HashData(c))];

    private static UrnRecord FromFields()
    {
        using var id = Responder();
        var r = new UrnRecord
        {
            Name = V.GetProperty("name").GetString(),
            PublisherKey = ByteString.CopyFrom(id.Spki),
            Version = ulong.Parse(V.GetProperty("version").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            MediaType = V.GetProperty("media_type").GetString(),
            Size = V.GetProperty("size").GetUInt64(),
            ChunkSize = V.GetProperty("chunk_size").GetUInt32(),
            PublishedAtMs = ulong.Parse(V.GetProperty("published_at_ms").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            Signature = ByteString.CopyFrom(Convert.FromHexString(V.GetProperty("signature").GetString()!)),
        };
        r.ChunkHashes.AddRange(V.GetProperty("chunk_hashes").EnumerateArray().Select(e => ByteString.CopyFrom(Convert.FromHexString(e.GetString()!))));
        return r;
    }
}
