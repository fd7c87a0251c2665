namespace OpenRed.Core.Wire;

/// <summary>Frame bounds of section 4. Fixed by the protocol, so constants, not options.</summary>
public static class WireLimits
{
    public const int LengthPrefixBytes = 4;
    public const int HandshakeFrameMin = 1;
    public const int HandshakeFrameMax = 16384;
    public const int TagBytes = 16;
    public const int MaxPlaintext = 1024 * 1024;
    public const int TransportFrameMin = TagBytes + 1;
    public const int TransportFrameMax = MaxPlaintext + TagBytes;
}
