namespace OpenRed.Core.Social.Internal;

/// <summary>A message in the outbox: stored, not yet acknowledged by the friend's receipt.</summary>
internal sealed record OutboxItem(long Seq, byte[] MessageId, string Text, long SentAtMs);
