using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Mesh;
using OpenRed.Core.Mesh.Internal;

namespace OpenRed.Core.Tests.Mesh;

public sealed class InboundAdmissionTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void TryAdmit_OneAddress_BurstOfFiveThenTwentyASecond()
    {
        var gate = new InboundAdmission(new MeshOptions { MaxHandshakesPerAddress = 1000, MaxHandshakesPerPrefix = 1000 }, _time);
        var a = IPAddress.Parse("10.0.0.1");

        Enumerable.Range(0, 5).Select(_ => Admit(gate, a)).ToList().Should().AllSatisfy(t => t.Should().NotBeNull());
        Admit(gate, a).Should().BeNull("the burst is 5");

        _time.Advance(TimeSpan.FromMilliseconds(50));
        Admit(gate, a).Should().NotBeNull("20 a second is one every 50 ms");
        Admit(gate, a).Should().BeNull();
    }

    [Fact]
    public void TryAdmit_FourInProgressPerAddress_FifthRefusedUntilOneEnds()
    {
        var gate = new InboundAdmission(MeshOptions.Default, _time);
        var a = IPAddress.Parse("10.0.0.1");
        var tickets = Enumerable.Range(0, 4).Select(_ => Admit(gate, a)!).ToList();

        gate.TryAdmit(a, out var refusal).Should().BeNull();
        refusal.Should().Contain("in progress");

        tickets[0].Dispose();
        _time.Advance(TimeSpan.FromSeconds(1));
        Admit(gate, a).Should().NotBeNull();
    }

    [Fact]
    public void TryAdmit_SixteenInProgressPerSlash24_SeventeenthRefused()
    {
        var gate = new InboundAdmission(MeshOptions.Default, _time);
        for (var i = 1; i <= 16; i++)
        {
            Admit(gate, IPAddress.Parse($"10.0.0.{i}")).Should().NotBeNull();
        }

        Admit(gate, IPAddress.Parse("10.0.0.200")).Should().BeNull();
        Admit(gate, IPAddress.Parse("10.0.1.1")).Should().NotBeNull("another /24 has its own budget");
    }

    [Fact]
    public void TryAdmit_Full_EvictsOldestHalfOpenHandshake()
    {
        var gate = new InboundAdmission(new MeshOptions { MaxHandshakesInProgress = 3 }, _time);
        var first = Admit(gate, IPAddress.Parse("10.0.1.1"))!;
        var second = Admit(gate, IPAddress.Parse("10.0.2.1"))!;
        Admit(gate, IPAddress.Parse("10.0.3.1")).Should().NotBeNull();

        var fourth = Admit(gate, IPAddress.Parse("10.0.4.1"));

        fourth.Should().NotBeNull();
        first.Evicted.IsCancellationRequested.Should().BeTrue();
        second.Evicted.IsCancellationRequested.Should().BeFalse();
        gate.InProgress.Should().Be(3);
    }

    [Fact]
    public void TryAdmit_GlobalRate_AppliesAcrossAddresses()
    {
        var gate = new InboundAdmission(new MeshOptions { InboundGlobalRate = 3, InboundGlobalBurst = 3 }, _time);
        var admitted = Enumerable.Range(1, 10)
            .Select(i => Admit(gate, IPAddress.Parse($"10.0.{i}.1")))
            .Count(t => t is not null);

        admitted.Should().Be(3);
    }

    [Fact]
    public void TryAdmit_OneAddressFloods_DoesNotSpendTheNodeWideBudget()
    {
        // Issue 9.1: a flood of 1000 connections at once from one address, then a peer from elsewhere.
        var gate = new InboundAdmission(MeshOptions.Default, _time);
        var flooder = IPAddress.Parse("10.0.0.2");
        var admitted = Enumerable.Range(0, 1000).Select(_ => Admit(gate, flooder)).Count(t => t is not null);

        admitted.Should().Be(4, "four in progress per address, within its burst of five");
        gate.TryAdmit(IPAddress.Parse("10.0.1.3"), out var refusal).Should().NotBeNull(refusal);
    }

    [Fact]
    public void TryAdmit_RefusedByInProgressCap_TakesNoNodeWideToken()
    {
        var gate = new InboundAdmission(new MeshOptions { InboundGlobalRate = 5, InboundGlobalBurst = 5, InboundPerAddressBurst = 100 }, _time);
        var flooder = IPAddress.Parse("10.0.0.2");
        var held = Enumerable.Range(0, 50).Select(_ => Admit(gate, flooder)).Where(t => t is not null).ToList();

        held.Should().HaveCount(4);
        Admit(gate, IPAddress.Parse("10.0.1.3")).Should().NotBeNull("only the 4 admitted handshakes spent node-wide tokens");
    }

    private static InboundAdmission.Ticket? Admit(InboundAdmission gate, IPAddress a) => gate.TryAdmit(a, out _);
}
