using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using OpenRed.Core;
using OpenRed.Core.Mesh;
using OpenRed.Core.Modules;
using OpenRed.Core.Node;
using OpenRed.Core.Storage;
using OpenRed.Core.Wire.Proto;
using OpenRed.IntegrationTests.Cli;
using OpenRed.IntegrationTests.Mesh;

namespace OpenRed.IntegrationTests.Modules;

/// <summary>The module contract on a real node: migrations, handlers, status, and the start order that makes them safe.</summary>
public sealed class ModuleSeamTests(MeshKeys keys) : IClassFixture<MeshKeys>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ModuleHandler_SeesFirstEnvelopeOfFirstSession()
    {
        using var tmp = new TempDirectory();
        var port = FreePort();
        var module = new ProbeModule();

        // A client hammers the port while the node starts, so the very first connection it accepts carries a
        // request for the module. Before the module seam, accepting began before later subsystems registered.
        using var stop = new CancellationTokenSource(Wait);
        await using var client = MeshHarness.Start(keys.Low);
        var answer = AskAsSoonAsPossibleAsync(client, port, stop.Token);
        await using var node = await StartNode(tmp, port, _ => module);

        var reply = await answer.WaitAsync(Wait);
        reply.BodyCase.Should().Be(Envelope.BodyOneofCase.Profile);
        reply.Profile.DisplayName.Should().Be("probe");
        node.Mesh.Counters.HandshakesCompleted.Should().BeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task RegistrationAfterStart_IsRefused()
    {
        using var tmp = new TempDirectory();
        await using var node = await StartNode(tmp, 0, _ => new ProbeModule());

        var act = () => node.Mesh.Handle(Envelope.BodyOneofCase.ChatMessage, (_, _, _) => ValueTask.CompletedTask);

        act.Should().Throw<InvalidOperationException>().WithMessage("*before the mesh starts*");
    }

    [Fact]
    public async Task ModuleMigrations_RunOnce_AndSurviveRestart()
    {
        using var tmp = new TempDirectory();
        var first = new ProbeModule();
        await using (var node = await StartNode(tmp, 0, _ => first))
        {
            node.GetStatus().Sections.Should().ContainSingle(s => s.Name == "probe")
                .Which.Lines.Should().ContainSingle(l => l.Label == "probe" && l.Value == "started");
        }

        // The second start finds the table and its version: the step does not run again (it would fail: no IF NOT EXISTS).
        await using (var again = await StartNode(tmp, 0, _ => new ProbeModule()))
        {
            using var c = again.Database.OpenConnection();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT version FROM module_schema WHERE module = 'probe';";
            cmd.ExecuteScalar().Should().Be(1L);
        }
    }

    [Fact]
    public async Task Events_ReachSubscriberThroughItsChannel_AndASlowReaderLosesOnlyTheOldest()
    {
        using var tmp = new TempDirectory();
        await using var a = await StartNode(tmp, 0, null, "alice");
        await using var b = await StartNode(tmp, 0, null, "bob");
        using var fast = a.SubscribeEvents();
        using var slow = a.SubscribeEvents(capacity: 1);

        await a.ConnectAsync("127.0.0.1", b.Port, b.Fingerprint, CancellationToken.None);
        await a.DisconnectAsync(b.Fingerprint, CancellationToken.None);

        var opened = await fast.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        opened.Should().BeOfType<SessionOpenedEvent>().Which.Session.NodeId.Should().Be("bob");
        var closed = await fast.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        closed.Should().BeOfType<SessionClosedEvent>().Which.End.Should().Be(SessionEnd.ClosedByUser);

        // The reader that never read kept only the newest event, and counted the one it lost.
        await Eventually.True(() => slow.Dropped == 1, Wait);
        (await slow.Reader.ReadAsync().AsTask().WaitAsync(Wait)).Should().BeOfType<SessionClosedEvent>();
    }

    private static async Task<Envelope> AskAsSoonAsPossibleAsync(MeshHarness client, int port, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var session = await client.Mesh.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), null, cancellationToken);
                return await session.RequestAsync(new Envelope { ProfileRequest = new ProfileRequest() }, cancellationToken);
            }
            catch (ConnectException)
            {
                await Task.Delay(2, cancellationToken);
            }
        }
    }

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static Task<OpenRedNode> StartNode(TempDirectory tmp, int port, Func<ModuleContext, INodeModule>? module, string nodeId = "hub") =>
        OpenRedNode.StartAsync(
            new NodeOptions
            {
                NodeId = nodeId,
                DataDirectory = Path.Combine(tmp.Path, nodeId),
                Port = port,
                ListenAddress = IPAddress.Loopback,
                LighthouseEnabled = false,
                // The probe module claims ProfileRequest, which the social module answers when it runs.
                Social = OpenRed.Core.Social.SocialOptions.Default with { Enabled = module is null },
            },
            NullLoggerFactory.Instance,
            TimeProvider.System,
            module is null ? [] : [module],
            CancellationToken.None);

    /// <summary>A module that answers ProfileRequest, owns one table, and reports itself in status.</summary>
    private sealed class ProbeModule : INodeModule
    {
        private volatile bool _started;

        public string Name => "probe";

        public IReadOnlyList<Migration> Migrations { get; } = [new(1, "probe table", "CREATE TABLE probe (x INTEGER) STRICT;")];

        public void RegisterHandlers(ModuleHandlers handlers) =>
            handlers.Handle(Envelope.BodyOneofCase.ProfileRequest, (s, e, cancellationToken) =>
                s.ReplyAsync(e, new Envelope { Profile = new Profile { DisplayName = _started ? "probe" : "not started" } }, cancellationToken));

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _started = true;
            return Task.CompletedTask;
        }

        public StatusSection? GetStatus() =>
            new("probe", [new StatusLine("probe", _started ? "started" : "stopped")], new Dictionary<string, object?> { ["started"] = _started });

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
