using Google.Protobuf;
using OpenRed.Core.Wire;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Tests.Wire;

/// <summary>Issue 9.5: limits checked on the bytes, before the protobuf parse allocates an object per entry.</summary>
public sealed class EnvelopeGuardTests
{
    private static readonly EnvelopeGuard Guard = EnvelopeGuard.Default;

    [Fact]
    public void Check_HalfAMillionEmptyPeerExchangeEntries_IsViolationWithoutParsing()
    {
        // Envelope { peer_exchange (field 20) { peers (field 1) = {} x 500000 } }, written by hand as the attacker would.
        var inner = new byte[500_000 * 2];
        for (var i = 0; i < inner.Length; i += 2)
        {
            inner[i] = 0x0A;
        }

        var plaintext = Concat([0xA2, 0x01], Varint(inner.Length), inner);
        ProtocolViolationException? violation = null;
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            Guard.Check(plaintext);
        }
        catch (ProtocolViolationException e)
        {
            violation = e;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        violation.Should().NotBeNull();
        violation!.Message.Should().Contain("PeerExchange.peers").And.Contain("50");
        allocated.Should().BeLessThan(16 * 1024, "the guard allocates nothing per entry, only the exception");
    }

    [Fact]
    public void Check_FiftyPeerExchangeEntries_Passes_FiftyOneIsViolation()
    {
        Guard.Check(PeerExchange(50).ToByteArray());
        var act = () => Guard.Check(PeerExchange(51).ToByteArray());
        act.Should().Throw<ProtocolViolationException>();
    }

    [Fact]
    public void Check_SeventeenHolders_IsViolation()
    {
        var found = new UrnFound { QueryId = ByteString.CopyFrom(new byte[16]) };
        found.Holders.Add(Enumerable.Range(0, 16).Select(_ => new PeerInfo { Host = "10.0.0.1", Port = 7000 }));
        Guard.Check(new Envelope { UrnFound = found }.ToByteArray());

        found.Holders.Add(new PeerInfo());
        var act = () => Guard.Check(new Envelope { UrnFound = found }.ToByteArray());
        act.Should().Throw<ProtocolViolationException>().WithMessage("*holders*");
    }

    [Fact]
    public void Check_ChatTextOver16384Bytes_IsViolation()
    {
        Guard.Check(Chat(new string('x', 4096)).ToByteArray());
        Guard.Check(Chat(new string('é', 4096)).ToByteArray());
        var act = () => Guard.Check(Chat(new string('x', 16385)).ToByteArray());
        act.Should().Throw<ProtocolViolationException>().WithMessage("*ChatMessage.text*");
    }

    [Fact]
    public void Check_ThumbnailOver16384Bytes_IsViolation()
    {
        var ok = new Envelope { Profile = new Profile { Thumbnail = ByteString.CopyFrom(new byte[16384]) } };
        Guard.Check(ok.ToByteArray());
        var big = new Envelope { Profile = new Profile { Thumbnail = ByteString.CopyFrom(new byte[16385]) } };
        var act = () => Guard.Check(big.ToByteArray());
        act.Should().Throw<ProtocolViolationException>().WithMessage("*thumbnail*");
    }

    [Fact]
    public void Check_PeerInfoNodeIdLongerThan64_IsViolation()
    {
        var px = new PeerExchange();
        px.Peers.Add(new PeerInfo { NodeId = new string('n', 65) });
        var act = () => Guard.Check(new Envelope { PeerExchange = px }.ToByteArray());
        act.Should().Throw<ProtocolViolationException>().WithMessage("*node_id*");
    }

    [Fact]
    public void Check_ManyUnknownFields_IsViolation_AFewPass()
    {
        var ping = new Envelope { Id = 1, Ping = new Ping { TimeMs = 5 } }.ToByteArray();
        Guard.Check(Concat(ping, UnknownVarints(10)));
        var act = () => Guard.Check(Concat(ping, UnknownVarints(100_000)));
        act.Should().Throw<ProtocolViolationException>().WithMessage("*fields*");
    }

    [Fact]
    public void Check_RecordRepeatedToMergeChunkHashes_IsViolation()
    {
        var record = new UrnRecord { Name = "a" };
        record.ChunkHashes.Add(ByteString.CopyFrom(new byte[32]));
        var offer = new ReplicateOffer { Record = record }.ToByteArray();
        var twice = Concat(offer, offer);
        var act = () => Guard.Check(Concat([0x9A, 0x02], Varint(twice.Length), twice));
        act.Should().Throw<ProtocolViolationException>().WithMessage("*more than once*");
    }

    [Theory]
    [InlineData(new byte[] { 0x08 })]
    [InlineData(new byte[] { 0x52, 0x05, 0x08 })]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    [InlineData(new byte[] { 0x0F })]
    [InlineData(new byte[] { 0x00 })]
    public void Check_TruncatedOrInvalid_IsViolation(byte[] plaintext)
    {
        var act = () => Guard.Check(plaintext);
        act.Should().Throw<ProtocolViolationException>();
    }

    [Fact]
    public void Check_UnknownGroupField_IsSkipped()
    {
        // Field 99 as a group holding one varint: legal protobuf that a later version might send.
        var group = Concat(Varint((99 << 3) | 3), [0x08, 0x01], Varint((99 << 3) | 4));
        Guard.Check(Concat(new Envelope { Ack = new Ack() }.ToByteArray(), group));
    }

    [Fact]
    public void Check_EveryBodyWithinLimits_Passes()
    {
        var record = new UrnRecord { Name = new string('u', 128), MediaType = "image/png", Version = 1 };
        record.ChunkHashes.Add(Enumerable.Range(0, 100).Select(_ => ByteString.CopyFrom(new byte[32])));
        var envelopes = new[]
        {
            new Envelope { Id = 3, Ping = new Ping { TimeMs = 1 } },
            new Envelope { ReplyTo = 3, Pong = new Pong { TimeMs = 1 } },
            new Envelope { Rekey = new Rekey() },
            new Envelope { Goodbye = new Goodbye { Reason = new string('r', 100_000) } },
            new Envelope { Error = new Error { Code = ErrorCode.Internal, Message = new string('m', 100_000) } },
            new Envelope { UrnQuery = new UrnQuery { QueryId = ByteString.CopyFrom(new byte[16]), Name = "urn_image_001", Hops = 2 } },
            new Envelope { UrnFound = new UrnFound { Record = record, Have = ByteString.CopyFrom(new byte[13]) } },
            new Envelope { ReplicateOffer = new ReplicateOffer { Record = record } },
            new Envelope { ChunkData = new ChunkData { Root = ByteString.CopyFrom(new byte[32]), Data = ByteString.CopyFrom(new byte[262144]) } },
            new Envelope { FriendRequest = new FriendRequest { RequestId = ByteString.CopyFrom(new byte[16]), Message = new string('m', 280) } },
            new Envelope { Profile = new Profile { DisplayName = "Ada", Bio = new string('b', 1000), Profession = "engineer" } },
        };

        foreach (var e in envelopes)
        {
            Guard.Invoking(g => g.Check(e.ToByteArray())).Should().NotThrow(e.BodyCase.ToString());
        }
    }

    [Fact]
    public void Check_RaisedLimits_AreHonoured()
    {
        var guard = new EnvelopeGuard(new EnvelopeLimits { MaxPeerExchangeEntries = 60 });
        guard.Check(PeerExchange(60).ToByteArray());
    }

    private static Envelope PeerExchange(int entries)
    {
        var px = new PeerExchange();
        px.Peers.Add(Enumerable.Range(0, entries).Select(i => new PeerInfo
        {
            Fingerprint = ByteString.CopyFrom(new byte[32]), NodeId = "n" + i, Sector = "general", Host = "10.0.0.1", Port = 7000,
        }));
        return new Envelope { PeerExchange = px };
    }

    private static Envelope Chat(string text) =>
        new() { Id = 1, ChatMessage = new ChatMessage { MessageId = ByteString.CopyFrom(new byte[16]), Text = text } };

    private static byte[] UnknownVarints(int count) =>
        [.. Enumerable.Range(0, count).SelectMany(_ => Concat(Varint((1000 << 3) | 0), [0x01]))];

    private static byte[] Varint(int value)
    {
        var bytes = new List<byte>();
        var v = (uint)value;
        while (v >= 0x80)
        {
            bytes.Add((byte)(v | 0x80));
            v >>= 7;
        }

        bytes.Add((byte)v);
        return [.. bytes];
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
