namespace OpenRed.Core.Social;

/// <summary>A profile thumbnail as it travels: the encoded bytes and their media type (image/jpeg, image/png, image/webp).</summary>
public sealed record Thumbnail(byte[] Bytes, string MediaType, int Width, int Height);
