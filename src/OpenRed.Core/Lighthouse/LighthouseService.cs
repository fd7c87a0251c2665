using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using OpenRed.Core.Lighthouse.Internal;
using OpenRed.Core.Wire.Proto;

namespace OpenRed.Core.Lighthouse;

/// <summary>
/// UDP multicast discovery (section 3): sends this node's beacons and feeds the beacons of others into a
/// <see cref="PeerMap"/>. If the socket or the group join fails, it keeps existing without discovery: state Failed,
/// one warning, a message in <see cref="Status"/>. Disposing sends the goodbye beacon and stops every loop.
/// </summary>
internal sealed class LighthouseService : IAsyncDisposable
{
    private static readonly TimeSpan GoodbyeTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ReceiveErrorPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan InterfaceRefreshPeriod = TimeSpan.FromSeconds(10);

    private readonly LighthouseOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<double> _random;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<TimeSpan> _answers = Channel.CreateBounded<TimeSpan>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true, SingleWriter = true });

    private readonly object _statusLock = new();
    private readonly IPEndPoint _groupEndPoint;
    private LighthouseState _state;
    private string? _message;
    private string? _interfaceName;
    private IPAddress? _interfaceAddress;
    private bool _sendFailing;
    private long _sent;
    private long _answersSent;
    private long _sendErrors;
    private long _seq;
    private int _disposed;

    private Socket? _socket;
    private BeaconIntake? _intake;
    private Task[] _loops = [];

    private LighthouseService(
        LighthouseLocalInfo local, LighthouseOptions options, PeerMap map, TimeProvider time, ILogger logger, Random random)
    {
        Local = local;
        Map = map;
        _options = options;
        _time = time;
        _logger = logger;
        var randomLock = new object();
        _random = () =>
        {
            lock (randomLock)
            {
                return random.NextDouble();
            }
        };
        _groupEndPoint = new IPEndPoint(options.Group, options.Port);
    }

    public LighthouseLocalInfo Local { get; }

    public PeerMap Map { get; }

    public LighthouseStatus Status
    {
        get
        {
            lock (_statusLock)
            {
                return new LighthouseStatus(
                    _state, _message, _options.Group, _options.Port, _interfaceAddress, _interfaceName,
                    Interlocked.Read(ref _sent), Interlocked.Read(ref _answersSent), Interlocked.Read(ref _sendErrors),
                    _intake?.Accepted ?? 0, _intake?.OwnSeen ?? 0,
                    _intake?.Dropped.Snapshot() ?? new Dictionary<BeaconRejection, long>());
            }
        }
    }

    /// <summary>
    /// Opens the socket, joins the group and starts sending and listening. Never throws for network trouble: check
    /// <see cref="Status"/>. Throws <see cref="ArgumentException"/> for invalid options.
    /// </summary>
    public static Task<LighthouseService> StartAsync(
        LighthouseLocalInfo local, LighthouseOptions options, PeerMap map, TimeProvider time, ILogger logger,
        CancellationToken cancellationToken) =>
        StartAsync(local, options, map, time, logger, Random.Shared, cancellationToken);

    internal static Task<LighthouseService> StartAsync(
        LighthouseLocalInfo local, LighthouseOptions options, PeerMap map, TimeProvider time, ILogger logger, Random random,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(random);
        cancellationToken.ThrowIfCancellationRequested();
        options.Validate();
        var service = new LighthouseService(local, options, map, time, logger, random);
        service.Start();
        return Task.FromResult(service);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        if (_socket is not null)
        {
            using var timeout = new CancellationTokenSource(GoodbyeTimeout);
            var sent = await SendAsync(BuildDatagram(solicit: false, goodbye: true), timeout.Token);
            _logger.Stopped(sent ? "sent" : "not sent");
            _socket.Dispose();
        }

        lock (_statusLock)
        {
            _state = _state == LighthouseState.Running ? LighthouseState.Stopped : _state;
        }

        _stop.Dispose();
    }

    private void Start()
    {
        if (!_options.Enabled)
        {
            _state = LighthouseState.Disabled;
            _message = "discovery is disabled";
            return;
        }

        var interfaces = InterfacePrefixes.FromSystem();
        var iface = _options.InterfaceAddress
            ?? MulticastRoute.Choose(_options.Group, _options.Port, interfaces, MulticastRoute.ReadSystemRouteTable);
        var where = iface?.ToString() ?? "the default interface";
        _interfaceAddress = iface;
        Socket socket;
        try
        {
            socket = OpenSocket(iface);
        }
        catch (SocketException e)
        {
            Fail($"cannot listen on UDP port {_options.Port} or join {_options.Group} on {where}: {e.Message}");
            return;
        }

        var joined = iface is null ? null : interfaces.FirstOrDefault(i => i.Prefixes.Any(p => p.Address.Equals(iface)));
        _interfaceName = joined?.Name;
        _socket = socket;
        var link = new LinkFilter(InterfacePrefixes.FromSystem, _time, InterfaceRefreshPeriod, joined?.Index);
        var limiter = new SourceRateLimiter(_options.PerSourceRate, _options.GlobalRate, _options.MaxTrackedSources, _time);
        var gate = new SolicitAnswerGate(_options, _random, _time);
        _intake = new BeaconIntake(Local, _options, Map, link, limiter, gate);
        _state = LighthouseState.Running;
        _logger.Started(_options.Group, _options.Port, joined is null ? where : $"{joined.Name} ({iface})", _options.IntervalSeconds);

        var stop = _stop.Token;
        _loops =
        [
            Task.Run(() => ReceiveLoopAsync(stop), CancellationToken.None),
            Task.Run(() => BeaconLoopAsync(stop), CancellationToken.None),
            Task.Run(() => AnswerLoopAsync(stop), CancellationToken.None),
            Task.Run(() => SweepLoopAsync(stop), CancellationToken.None),
        ];
    }

    private Socket OpenSocket(IPAddress? iface)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Several nodes share one host: the option must be set before the bind.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Any, _options.Port));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, _options.Ttl);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
            if (iface is not null)
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, iface.GetAddressBytes());
            }

            socket.SetSocketOption(
                SocketOptionLevel.IP, SocketOptionName.AddMembership,
                iface is null ? new MulticastOption(_options.Group) : new MulticastOption(_options.Group, iface));
            if (OperatingSystem.IsLinux())
            {
                try
                {
                    // IP_MULTICAST_ALL = 0: only the groups this socket joined, on the interface it joined them on.
                    socket.SetSocketOption(SocketOptionLevel.IP, (SocketOptionName)49, 0);
                }
                catch (SocketException)
                {
                    // An older kernel without the option: the link filter still drops other interfaces' datagrams.
                }
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Fail(string message)
    {
        lock (_statusLock)
        {
            _state = LighthouseState.Failed;
            _message = message;
        }

        _logger.DiscoveryOff(message);
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(65536);
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult received;
            try
            {
                received = await _socket!.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.ReceiveError(e.Message);
                if (!await PauseAsync(ReceiveErrorPause, cancellationToken))
                {
                    return;
                }

                continue;
            }

            var source = ((IPEndPoint)received.RemoteEndPoint).Address;
            try
            {
                var result = _intake!.Handle(buffer.AsSpan(0, received.ReceivedBytes), source, received.PacketInformation.Interface);
                if (result.AnswerAfter is { } delay)
                {
                    _answers.Writer.TryWrite(delay);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.HandlerFailed(e);
            }
        }
    }

    private async Task BeaconLoopAsync(CancellationToken cancellationToken)
    {
        var schedule = new BeaconSchedule(_options, _random);
        while (true)
        {
            var (delay, solicit) = schedule.Next();
            if (delay > TimeSpan.Zero && !await PauseAsync(delay, cancellationToken))
            {
                return;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            await SendAsync(BuildDatagram(solicit, goodbye: false), cancellationToken);
        }
    }

    private async Task AnswerLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var delay in _answers.Reader.ReadAllAsync(cancellationToken))
            {
                if (!await PauseAsync(delay, cancellationToken))
                {
                    return;
                }

                if (await SendAsync(BuildDatagram(solicit: false, goodbye: false), cancellationToken))
                {
                    Interlocked.Increment(ref _answersSent);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task SweepLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.ExpirySweep, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    Map.Expire();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _logger.HandlerFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> PauseAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private byte[] BuildDatagram(bool solicit, bool goodbye) =>
        BeaconCodec.Encode(new Beacon
        {
            NodeId = Local.NodeId,
            Fingerprint = ByteString.CopyFrom(Local.Fingerprint.Bytes),
            Sector = Local.Sector,
            TcpPort = (uint)Local.TcpPort,
            Instance = Local.Instance,
            Seq = (ulong)Interlocked.Increment(ref _seq),
            IntervalS = _options.IntervalSeconds,
            Solicit = solicit,
            Goodbye = goodbye,
            SentAtMs = (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds(),
        });

    /// <summary>Sends to the group. A failure is counted; only the first of a run of failures is logged.</summary>
    private async Task<bool> SendAsync(byte[] datagram, CancellationToken cancellationToken)
    {
        try
        {
            await _socket!.SendToAsync(datagram, SocketFlags.None, _groupEndPoint, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException e)
        {
            Interlocked.Increment(ref _sendErrors);
            bool first;
            lock (_statusLock)
            {
                first = !_sendFailing;
                _sendFailing = true;
                _message = $"sending beacons fails: {e.Message}";
            }

            if (first)
            {
                _logger.SendFailing(e.Message);
            }

            return false;
        }

        Interlocked.Increment(ref _sent);
        bool recovered;
        lock (_statusLock)
        {
            recovered = _sendFailing;
            _sendFailing = false;
            if (recovered)
            {
                _message = null;
            }
        }

        if (recovered)
        {
            _logger.SendRecovered(Interlocked.Read(ref _sendErrors));
        }

        return true;
    }
}
