namespace OpenRed.Core.Wire;

/// <summary>
/// Checks a transport plaintext against <see cref="EnvelopeLimits"/> by reading only its tags and lengths, before
/// the protobuf parse: the parse builds an object per repeated entry and per unknown field, so a 1 MiB frame of
/// empty entries would otherwise cost tens of megabytes before any limit could be applied. Walks the messages of
/// the schema (section 12) that carry counted or bounded fields; everything else is skipped by wire type.
/// </summary>
public sealed class EnvelopeGuard
{
    private const int MaxFieldNumber = (1 << 29) - 1;
    private const int MaxGroupDepth = 16;

    private readonly Shape _envelope;
    private readonly int _maxFields;

    public EnvelopeGuard(EnvelopeLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.Validate();
        _maxFields = limits.MaxFieldsPerMessage;
        _envelope = Shapes.Envelope(limits);
    }

    public static EnvelopeGuard Default { get; } = new(EnvelopeLimits.Default);

    /// <summary>Throws <see cref="ProtocolViolationException"/> when the bytes break a limit or are not protobuf.</summary>
    public void Check(ReadOnlySpan<byte> plaintext) => Walk(plaintext, _envelope);

    private void Walk(ReadOnlySpan<byte> data, Shape shape)
    {
        Span<int> counts = stackalloc int[Shape.MaxRepeated];
        counts.Clear();
        var others = 0;
        var pos = 0;
        ulong seen = 0;
        while (pos < data.Length)
        {
            var (field, wireType) = ReadTag(data, ref pos, shape.Name);
            var index = shape.Find(field);
            var rule = index < 0 ? null : shape.Rules[index];
            if (rule is { Slot: >= 0 } && wireType == 2)
            {
                if (++counts[rule.Slot] > rule.MaxCount)
                {
                    throw new ProtocolViolationException($"{shape.Name}.{rule.Name} has more than {rule.MaxCount} entries");
                }
            }
            else
            {
                CountOther(ref others, shape.Name);
            }

            if (rule is { Slot: < 0, Message: not null } && wireType == 2)
            {
                // The parser merges repeats of a message field, adding up their repeated entries behind the counts.
                if ((seen & (1UL << index)) != 0)
                {
                    throw new ProtocolViolationException($"{shape.Name}.{rule.Name} appears more than once");
                }

                seen |= 1UL << index;
            }

            if (wireType != 2)
            {
                Skip(data, ref pos, field, wireType, shape.Name, 0, ref others);
                continue;
            }

            var value = ReadLengthDelimited(data, ref pos, shape.Name);
            if (rule is null)
            {
                continue;
            }

            if (value.Length > rule.MaxBytes)
            {
                throw new ProtocolViolationException($"{shape.Name}.{rule.Name} is {value.Length} bytes, over its limit of {rule.MaxBytes}");
            }

            if (rule.Message is { } inner)
            {
                Walk(value, inner);
            }
        }
    }

    private void CountOther(ref int others, string message)
    {
        if (++others > _maxFields)
        {
            throw new ProtocolViolationException($"{message} has more than {_maxFields} fields");
        }
    }

    private void Skip(ReadOnlySpan<byte> data, ref int pos, int field, int wireType, string message, int depth, ref int others)
    {
        switch (wireType)
        {
            case 0:
                ReadVarint(data, ref pos, message);
                break;
            case 1:
                Advance(data, ref pos, 8, message);
                break;
            case 5:
                Advance(data, ref pos, 4, message);
                break;
            case 2:
                ReadLengthDelimited(data, ref pos, message);
                break;
            case 3:
                // A group is legal in unknown fields; the parser keeps its contents, so they count like fields.
                if (depth >= MaxGroupDepth)
                {
                    throw new ProtocolViolationException($"{message} nests groups too deeply");
                }

                while (true)
                {
                    var (inner, innerType) = ReadTag(data, ref pos, message);
                    if (innerType == 4)
                    {
                        if (inner != field)
                        {
                            throw new ProtocolViolationException($"{message} has a mismatched end of group");
                        }

                        return;
                    }

                    CountOther(ref others, message);
                    Skip(data, ref pos, inner, innerType, message, depth + 1, ref others);
                }

            default:
                throw new ProtocolViolationException($"{message} has a field of wire type {wireType}");
        }
    }

    private static (int Field, int WireType) ReadTag(ReadOnlySpan<byte> data, ref int pos, string message)
    {
        var tag = ReadVarint(data, ref pos, message);
        var field = tag >> 3;
        if (field is 0 or > MaxFieldNumber)
        {
            throw new ProtocolViolationException($"{message} has an invalid tag");
        }

        return ((int)field, (int)(tag & 7));
    }

    private static ReadOnlySpan<byte> ReadLengthDelimited(ReadOnlySpan<byte> data, ref int pos, string message)
    {
        var length = ReadVarint(data, ref pos, message);
        if (length > (ulong)(data.Length - pos))
        {
            throw new ProtocolViolationException($"{message} has a field longer than the bytes left");
        }

        var value = data.Slice(pos, (int)length);
        pos += (int)length;
        return value;
    }

    private static void Advance(ReadOnlySpan<byte> data, ref int pos, int count, string message)
    {
        if (data.Length - pos < count)
        {
            throw new ProtocolViolationException($"{message} ends inside a field");
        }

        pos += count;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int pos, string message)
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            if (pos >= data.Length)
            {
                throw new ProtocolViolationException($"{message} ends inside a varint");
            }

            var b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new ProtocolViolationException($"{message} has a varint longer than 10 bytes");
    }

    /// <summary>The fields of one message that the guard bounds; the others are only counted.</summary>
    private sealed class Shape
    {
        public const int MaxRepeated = 2;

        public Shape(string name, params Rule[] rules)
        {
            if (rules.Length > 64 || rules.Any(r => r.Slot >= MaxRepeated))
            {
                throw new ArgumentException("a shape has at most 64 rules and 2 repeated fields", nameof(rules));
            }

            Name = name;
            Rules = rules;
        }

        public string Name { get; }

        public Rule[] Rules { get; }

        /// <summary>The index of the field's rule, or -1.</summary>
        public int Find(int field)
        {
            for (var i = 0; i < Rules.Length; i++)
            {
                if (Rules[i].Field == field)
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>A length-delimited field: its byte bound, its entry count when repeated (Slot ≥ 0), its message.</summary>
    private sealed record Rule(int Field, string Name, int MaxBytes = int.MaxValue, int Slot = -1, int MaxCount = 0, Shape? Message = null);

    private static class Shapes
    {
        private const int MaxUtf8BytesPerChar = 4;
        private const int FingerprintBytes = 32;
        private const int RandomIdBytes = 16;
        private const int NodeIdChars = 64;
        private const int SectorChars = 32;

        // The longest IP literal without brackets: an IPv4-mapped IPv6 address written in full.
        private const int HostChars = 45;

        public static Shape Envelope(EnvelopeLimits l)
        {
            var peerInfo = new Shape(
                "PeerInfo",
                new Rule(1, "fingerprint", FingerprintBytes),
                new Rule(2, "node_id", NodeIdChars),
                new Rule(3, "sector", SectorChars),
                new Rule(4, "host", HostChars));
            var record = new Shape(
                "UrnRecord",
                new Rule(1, "name", Chars(l.MaxUrnNameChars)),
                new Rule(4, "media_type", Chars(l.MaxMediaTypeChars)),
                new Rule(7, "chunk_hashes", FingerprintBytes, Slot: 0, MaxCount: l.MaxChunkHashes));
            return new Shape(
                "Envelope",
                new Rule(20, "peer_exchange", Message: new Shape("PeerExchange", new Rule(1, "peers", Slot: 0, MaxCount: l.MaxPeerExchangeEntries, Message: peerInfo))),
                new Rule(30, "urn_query", Message: new Shape(
                    "UrnQuery", new Rule(1, "query_id", RandomIdBytes), new Rule(2, "name", Chars(l.MaxUrnNameChars)), new Rule(3, "publisher", FingerprintBytes))),
                new Rule(31, "urn_found", Message: new Shape(
                    "UrnFound",
                    new Rule(1, "query_id", RandomIdBytes),
                    new Rule(2, "record", Message: record),
                    new Rule(3, "holders", Slot: 0, MaxCount: l.MaxHolders, Message: peerInfo),
                    new Rule(4, "have", (l.MaxChunkHashes + 7) / 8))),
                new Rule(32, "urn_query_done", Message: new Shape("UrnQueryDone", new Rule(1, "query_id", RandomIdBytes))),
                new Rule(33, "chunk_request", Message: new Shape("ChunkRequest", new Rule(1, "root", FingerprintBytes))),
                // ChunkData.data is one allocation bounded by the frame; its length against the record is Phoenix's check.
                new Rule(34, "chunk_data", Message: new Shape("ChunkData", new Rule(1, "root", FingerprintBytes))),
                new Rule(35, "replicate_offer", Message: new Shape("ReplicateOffer", new Rule(1, "record", Message: record))),
                new Rule(36, "replicate_ack", Message: new Shape("ReplicateAck", new Rule(1, "root", FingerprintBytes))),
                new Rule(41, "profile", Message: new Shape(
                    "Profile",
                    new Rule(1, "display_name", Chars(l.MaxDisplayNameChars)),
                    new Rule(2, "bio", Chars(l.MaxBioChars)),
                    new Rule(3, "profession", Chars(l.MaxProfessionChars)),
                    new Rule(4, "thumbnail", l.MaxThumbnailBytes),
                    new Rule(5, "thumbnail_type", Chars(l.MaxMediaTypeChars)),
                    new Rule(6, "photo_urn", Chars(l.MaxUrnNameChars)))),
                new Rule(42, "friend_request", Message: new Shape(
                    "FriendRequest", new Rule(1, "request_id", RandomIdBytes), new Rule(2, "message", Chars(l.MaxFriendMessageChars)))),
                new Rule(43, "friend_response", Message: new Shape("FriendResponse", new Rule(1, "request_id", RandomIdBytes))),
                new Rule(44, "chat_message", Message: new Shape(
                    "ChatMessage",
                    new Rule(1, "message_id", RandomIdBytes),
                    new Rule(2, "text", Math.Min(l.MaxChatTextBytes, Chars(l.MaxChatTextChars))))),
                new Rule(45, "chat_receipt", Message: new Shape("ChatReceipt", new Rule(1, "message_id", RandomIdBytes))),
                // The bodies without bounded fields still have their fields counted.
                new Rule(10, "ping", Message: new Shape("Ping")),
                new Rule(11, "pong", Message: new Shape("Pong")),
                new Rule(12, "rekey", Message: new Shape("Rekey")),
                new Rule(13, "goodbye", Message: new Shape("Goodbye")),
                new Rule(14, "error", Message: new Shape("Error")),
                new Rule(15, "ack", Message: new Shape("Ack")),
                new Rule(40, "profile_request", Message: new Shape("ProfileRequest")));
        }

        private static int Chars(int chars) => (int)Math.Min(int.MaxValue, (long)chars * MaxUtf8BytesPerChar);
    }
}
