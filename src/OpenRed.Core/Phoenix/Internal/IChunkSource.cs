using Google.Protobuf;
using OpenRed.Core.Identity;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Phoenix.Internal;

/// <summary>A holder the fetcher asks for chunks.</summary>
internal interface IChunkSource
{
    Fingerprint Fingerprint { get; }

    string NodeId { get; }

    /// <summary>Which chunks it said it holds; null for all (or not said).</summary>
    bool[]? Have { get; }

    /// <summary>
    /// The chunk's bytes as received (not yet checked; not copied out of the answer that carried them); null when
    /// the holder answered NOT_FOUND.
    /// </summary>
    /// <exception cref="Exception">The holder cannot be reached or answered something else: it is given up.</exception>
    Task<ReadOnlyMemory<byte>?> GetAsync(byte[] root, int index, CancellationToken cancellationToken);
}

/// <summary>A holder reached through a session, dialled with its expected fingerprint when there is none yet.</summary>
internal sealed class PeerChunkSource(Fingerprint fingerprint, string nodeId, bool[]? have, Func<CancellationToken, Task<IPhoenixPeer>> connect)
    : IChunkSource
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private IPhoenixPeer? _peer;

    public Fingerprint Fingerprint => fingerprint;

    public string NodeId => nodeId;

    public bool[]? Have => have;

    public async Task<ReadOnlyMemory<byte>?> GetAsync(byte[] root, int index, CancellationToken cancellationToken)
    {
        var peer = await PeerAsync(cancellationToken);
        var answer = await peer.RequestAsync(
            new Envelope { ChunkRequest = new ChunkRequest { Root = ByteString.CopyFrom(root), Index = (uint)index } }, cancellationToken);
        return answer.BodyCase switch
        {
            Envelope.BodyOneofCase.ChunkData when answer.ChunkData.Index == (uint)index && answer.ChunkData.Root.Span.SequenceEqual(root)
                => answer.ChunkData.Data.Memory,
            Envelope.BodyOneofCase.Error when answer.Error.Code == ErrorCode.NotFound => null,
            _ => throw new InvalidOperationException($"holder answered a chunk request with {answer.BodyCase}"),
        };
    }

    private async Task<IPhoenixPeer> PeerAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _peer) is { } ready)
        {
            return ready;
        }

        await _connecting.WaitAsync(cancellationToken);
        try
        {
            return _peer ??= await connect(cancellationToken);
        }
        finally
        {
            _connecting.Release();
        }
    }
}
