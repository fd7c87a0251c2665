using OpenRed.Core.Identity;

namespace OpenRed.Core.Mesh;

/// <summary>A node-id arrived with a fingerprint other than the one(s) linked to it before.</summary>
public sealed record ImpersonationWarning(string NodeId, Fingerprint NewFingerprint, IReadOnlyList<Fingerprint> KnownFingerprints);
