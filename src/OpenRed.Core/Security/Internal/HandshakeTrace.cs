namespace OpenRed.Core.Security.Internal;

/// <summary>
/// Copies of every intermediate value of section 5, filled only when a test passes one in,
/// so the vectors can be checked byte for byte. Never used outside tests: it holds secrets.
/// </summary>
internal sealed class HandshakeTrace
{
    public byte[]? Request { get; set; }
    public byte[]? Th1 { get; set; }
    public byte[]? Th2 { get; set; }
    public byte[]? Dh { get; set; }
    public byte[]? Hs { get; set; }
    public byte[]? KR { get; set; }
    public byte[]? KI { get; set; }
    public byte[]? IdR { get; set; }
    public byte[]? Th3 { get; set; }
    public byte[]? SigR { get; set; }
    public byte[]? Th4 { get; set; }
    public byte[]? AuthR { get; set; }
    public byte[]? SealedR { get; set; }
    public byte[]? Verify { get; set; }
    public byte[]? IdI { get; set; }
    public byte[]? Th5 { get; set; }
    public byte[]? SigI { get; set; }
    public byte[]? Th6 { get; set; }
    public byte[]? AuthI { get; set; }
    public byte[]? SealedI { get; set; }
    public byte[]? Finalize { get; set; }
    public byte[]? Ms { get; set; }
    public byte[]? KeyI2R { get; set; }
    public byte[]? KeyR2I { get; set; }
    public byte[]? SessionId { get; set; }
}
