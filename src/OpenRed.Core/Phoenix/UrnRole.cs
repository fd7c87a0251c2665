namespace OpenRed.Core.Phoenix;

/// <summary>Why this node holds a URN, weakest first: only <see cref="Cached"/> chunks are ever evicted.</summary>
public enum UrnRole
{
    /// <summary>Resurrected here; its chunks are evicted least recently used when the cache is full.</summary>
    Cached = 0,

    /// <summary>Kept on purpose (--auto-resurrect).</summary>
    Pinned = 1,

    /// <summary>A copy kept for another node that published it.</summary>
    Replica = 2,

    /// <summary>Published by this node.</summary>
    Published = 3,
}
