using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Identity;
using OpenRed.Core.Lighthouse;

namespace OpenRed.Core.Tests.Lighthouse;

public sealed class PeerMapTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.168.1.10");
    private static readonly IPAddress B = IPAddress.Parse("192.168.1.11");

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2025-01-01T00:00:00Z"));
    private readonly List<(string Event, LighthousePeerEventArgs Args)> _events = [];

    private PeerMap NewMap(LighthouseOptions? options = null)
    {
        var map = new PeerMap(options ?? new LighthouseOptions(), _time);
        map.PeerDiscovered += (_, e) => _events.Add(("discovered", e));
        map.PeerUpdated += (_, e) => _events.Add(("updated", e));
        map.PeerLost += (_, e) => _events.Add(("lost", e));
        map.PeerNeedsCheck += (_, e) => _events.Add(("check", e));
        return map;
    }

    [Fact]
    public void Observe_NewFingerprint_AddsUnverifiedPeerAndRaisesDiscovered()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, nodeId: "alice", sector: "lab", port: 5000), A).Should().Be(BeaconObservation.Discovered);

        var peer = map.Snapshot().Should().ContainSingle().Subject;
        peer.Fingerprint.Should().Be(Beacons.Fp(1));
        peer.NodeId.Should().Be("alice");
        peer.Sector.Should().Be("lab");
        peer.Address.Should().Be(new IPEndPoint(A, 5000));
        peer.State.Should().Be(LighthousePeerState.Unverified);
        peer.LastHeard.Should().Be(_time.GetUtcNow());
        _events.Should().ContainSingle().Which.Event.Should().Be("discovered");
    }

    [Fact]
    public void Observe_SameBeaconAgain_RefreshesWithoutEvent()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1), A);
        _time.Advance(TimeSpan.FromSeconds(10));
        map.Observe(Beacons.Make(fp: 1, seq: 2), A).Should().Be(BeaconObservation.Refreshed);

        map.Find(Beacons.Fp(1))!.LastHeard.Should().Be(_time.GetUtcNow());
        _events.Should().ContainSingle();
    }

    [Fact]
    public void Observe_NewInstance_RaisesUpdatedRestarted()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, instance: 1), A);
        map.Observe(Beacons.Make(fp: 1, instance: 2), A).Should().Be(BeaconObservation.Restarted);

        _events[^1].Event.Should().Be("updated");
        _events[^1].Args.Change.Should().Be(PeerChange.Restarted);
        map.Find(Beacons.Fp(1))!.Instance.Should().Be(2);
    }

    [Fact]
    public void Observe_NewAddressOfUnverifiedPeer_UpdatesAddress()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, port: 5000), A);
        map.Observe(Beacons.Make(fp: 1, port: 5001), B).Should().Be(BeaconObservation.Updated);

        map.Find(Beacons.Fp(1))!.Address.Should().Be(new IPEndPoint(B, 5001));
        _events[^1].Args.Change.Should().Be(PeerChange.AddressChanged);
    }

    [Fact]
    public void Observe_Goodbye_RemovesPeerAtOnce()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, instance: 9), A);
        map.Observe(Beacons.Make(fp: 1, instance: 9, goodbye: true), A).Should().Be(BeaconObservation.Removed);

        map.Count.Should().Be(0);
        _events[^1].Event.Should().Be("lost");
        _events[^1].Args.Change.Should().Be(PeerChange.Goodbye);
        _events[^1].Args.Peer.State.Should().Be(LighthousePeerState.Lost);
    }

    [Fact]
    public void Observe_GoodbyeOfOlderInstance_IsIgnored()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, instance: 2), A);
        map.Observe(Beacons.Make(fp: 1, instance: 1, goodbye: true), A).Should().Be(BeaconObservation.Ignored);
        map.Count.Should().Be(1);
    }

    [Fact]
    public void Observe_GoodbyeOfUnknownPeer_AddsNothing()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, goodbye: true), A).Should().Be(BeaconObservation.Ignored);
        map.Count.Should().Be(0);
        _events.Should().BeEmpty();
    }

    [Fact]
    public void Expire_AfterThreeIntervals_RemovesPeer()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, interval: 30), A);

        _time.Advance(TimeSpan.FromSeconds(90));
        map.Expire().Should().Be(0);
        map.Count.Should().Be(1);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        map.Expire().Should().Be(1);
        map.Count.Should().Be(0);
        _events[^1].Event.Should().Be("lost");
        _events[^1].Args.Change.Should().Be(PeerChange.Expired);
    }

    [Fact]
    public void Expire_UsesEachPeersOwnInterval()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, interval: 1), A);
        map.Observe(Beacons.Make(fp: 2, interval: 30), B);

        _time.Advance(TimeSpan.FromSeconds(4));
        map.Expire();

        map.Snapshot().Select(p => p.Fingerprint).Should().Equal(Beacons.Fp(2));
    }

    [Fact]
    public void Expire_BeaconInTime_KeepsPeer()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, interval: 30), A);
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(80));
            map.Observe(Beacons.Make(fp: 1, interval: 30), A);
            map.Expire();
        }

        map.Count.Should().Be(1);
    }

    [Fact]
    public void ExpiryFactor_IsAnOption()
    {
        var map = NewMap(new LighthouseOptions { ExpiryFactor = 5 });
        map.Observe(Beacons.Make(fp: 1, interval: 1), A);
        _time.Advance(TimeSpan.FromSeconds(4));
        map.Expire().Should().Be(0);
        _time.Advance(TimeSpan.FromSeconds(1.5));
        map.Expire().Should().Be(1);
    }

    [Fact]
    public void MarkSessionUp_MakesPeerConnectedWithVerifiedAddress()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, nodeId: "beacon-name", port: 5000), A);
        map.MarkSessionUp(Identity(1, "alice", port: 6000), A);

        var peer = map.Find(Beacons.Fp(1))!;
        peer.State.Should().Be(LighthousePeerState.Connected);
        peer.HasSession.Should().BeTrue();
        peer.NodeId.Should().Be("alice");
        peer.Address.Should().Be(new IPEndPoint(A, 6000));
        _events[^1].Event.Should().Be("updated");
        _events[^1].Args.Change.Should().Be(PeerChange.SessionUp);
    }

    [Fact]
    public void MarkSessionUp_BeforeFirstBeacon_PeerAppearsConnected()
    {
        var map = NewMap();
        map.MarkSessionUp(Identity(1, "alice", port: 6000), A);
        map.Count.Should().Be(0);

        map.Observe(Beacons.Make(fp: 1, port: 6000), A);
        map.Find(Beacons.Fp(1))!.State.Should().Be(LighthousePeerState.Connected);
        _events.Should().ContainSingle().Which.Args.Peer.State.Should().Be(LighthousePeerState.Connected);
    }

    [Fact]
    public void Goodbye_ForPeerWithSession_AsksForCheckAndKeepsPeer()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, instance: 5), A);
        map.MarkSessionUp(Identity(1), A);

        map.Observe(Beacons.Make(fp: 1, instance: 5, goodbye: true), A).Should().Be(BeaconObservation.CheckRequested);

        map.Find(Beacons.Fp(1))!.State.Should().Be(LighthousePeerState.Connected);
        _events[^1].Event.Should().Be("check");
        _events[^1].Args.Change.Should().Be(PeerChange.Goodbye);
        _events.Should().NotContain(e => e.Event == "lost");
    }

    [Fact]
    public void SessionDown_AfterGoodbye_RemovesPeer()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, instance: 5), A);
        map.MarkSessionUp(Identity(1), A);
        map.Observe(Beacons.Make(fp: 1, instance: 5, goodbye: true), A);

        map.MarkSessionDown(Beacons.Fp(1));

        map.Count.Should().Be(0);
        _events[^1].Event.Should().Be("lost");
    }

    [Fact]
    public void SessionDown_WhileBeaconsContinue_KeepsPeerAsVerified()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1), A);
        map.MarkSessionUp(Identity(1), A);
        map.MarkSessionDown(Beacons.Fp(1));

        map.Find(Beacons.Fp(1))!.State.Should().Be(LighthousePeerState.Verified);
        _events[^1].Args.Change.Should().Be(PeerChange.SessionDown);
    }

    [Fact]
    public void NewInstance_ForPeerWithSession_AsksForCheck()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, instance: 1), A);
        map.MarkSessionUp(Identity(1), A);

        map.Observe(Beacons.Make(fp: 1, instance: 2), A).Should().Be(BeaconObservation.Restarted);

        _events[^1].Event.Should().Be("check");
        _events[^1].Args.Change.Should().Be(PeerChange.Restarted);
        map.Find(Beacons.Fp(1))!.State.Should().Be(LighthousePeerState.Connected);
    }

    [Fact]
    public void NewAddress_ForVerifiedPeer_KeepsVerifiedAddressAndOffersCandidate()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, port: 4000), A);
        map.MarkSessionUp(Identity(1, port: 4000), A);
        map.MarkSessionDown(Beacons.Fp(1));

        map.Observe(Beacons.Make(fp: 1, port: 4000), B).Should().Be(BeaconObservation.CheckRequested);

        var peer = map.Find(Beacons.Fp(1))!;
        peer.Address.Should().Be(new IPEndPoint(A, 4000));
        peer.BeaconAddress.Should().Be(new IPEndPoint(B, 4000));
        _events[^1].Event.Should().Be("check");
        _events[^1].Args.Candidate.Should().Be(new IPEndPoint(B, 4000));

        // The same news again is not news.
        map.Observe(Beacons.Make(fp: 1, port: 4000), B).Should().Be(BeaconObservation.Refreshed);
    }

    [Fact]
    public void Expire_PeerWithSession_IsKeptAndCheckedOnce()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, interval: 1), A);
        map.MarkSessionUp(Identity(1), A);

        _time.Advance(TimeSpan.FromSeconds(10));
        map.Expire().Should().Be(0);
        map.Expire().Should().Be(0);

        map.Count.Should().Be(1);
        _events.Count(e => e.Event == "check").Should().Be(1);

        map.MarkSessionDown(Beacons.Fp(1));
        map.Count.Should().Be(0);
    }

    [Fact]
    public void Capacity_Full_EvictsLeastRecentlyHeardUnverified()
    {
        var map = NewMap(new LighthouseOptions { MaxPeers = 4096, MaxPeersPerSlash24 = 4096 });
        for (var i = 0; i < 4096; i++)
        {
            map.Observe(Beacons.Make(fp: i), Address(i));
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        // Peer 0 is verified (never evicted), so peer 1 is the least recently heard unverified one.
        map.MarkSessionUp(Identity(0), Address(0));
        map.Observe(Beacons.Make(fp: 5000), Address(5000)).Should().Be(BeaconObservation.Discovered);

        map.Count.Should().Be(4096);
        map.Find(Beacons.Fp(1)).Should().BeNull();
        map.Find(Beacons.Fp(0)).Should().NotBeNull();
        map.Find(Beacons.Fp(5000)).Should().NotBeNull();
        _events.Should().ContainSingle(e => e.Event == "lost").Which.Args.Change.Should().Be(PeerChange.Evicted);
    }

    [Fact]
    public void Capacity_DefaultIs4096()
    {
        var map = NewMap();
        for (var i = 0; i < 5000; i++)
        {
            map.Observe(Beacons.Make(fp: i), Address(i));
        }

        map.Count.Should().Be(4096);
    }

    [Fact]
    public void Slash24Cap_EvictsOldestInThatSubnetOnly()
    {
        var map = NewMap(new LighthouseOptions { MaxPeersPerSlash24 = 256 });
        map.Observe(Beacons.Make(fp: 9999), IPAddress.Parse("10.0.1.1"));
        _time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 256; i++)
        {
            map.Observe(Beacons.Make(fp: i), IPAddress.Parse($"10.0.0.{i % 250}"));
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        map.Observe(Beacons.Make(fp: 300), IPAddress.Parse("10.0.0.7")).Should().Be(BeaconObservation.Discovered);

        map.Count.Should().Be(257);
        map.Find(Beacons.Fp(0)).Should().BeNull();
        map.Find(Beacons.Fp(9999)).Should().NotBeNull("it lives in another /24");
    }

    [Fact]
    public void Slash24Cap_AllVerified_RejectsNewcomer()
    {
        var map = NewMap(new LighthouseOptions { MaxPeersPerSlash24 = 2 });
        for (var i = 0; i < 2; i++)
        {
            map.Observe(Beacons.Make(fp: i), A);
            map.MarkSessionUp(Identity(i), A);
        }

        map.Observe(Beacons.Make(fp: 3), B).Should().Be(BeaconObservation.Rejected);
        map.Count.Should().Be(2);
    }

    [Fact]
    public void Slash24Cap_FreedByGoodbye()
    {
        var map = NewMap(new LighthouseOptions { MaxPeersPerSlash24 = 1 });
        map.Observe(Beacons.Make(fp: 1), A);
        map.MarkSessionUp(Identity(1), A);
        map.MarkSessionDown(Beacons.Fp(1));
        map.Observe(Beacons.Make(fp: 2), B).Should().Be(BeaconObservation.Rejected);

        // Section 3 (hardening issue, point 7): a goodbye does not remove what a handshake verified; silence does.
        map.Observe(Beacons.Make(fp: 1, goodbye: true), A);
        map.Observe(Beacons.Make(fp: 2), B).Should().Be(BeaconObservation.Rejected);
        _time.Advance(TimeSpan.FromSeconds(91));
        map.Expire();
        map.Observe(Beacons.Make(fp: 2), B).Should().Be(BeaconObservation.Discovered);
    }

    [Fact]
    public void Goodbye_VerifiedPeerWithoutSession_IsKeptUntilSilenceExpiresIt()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, interval: 10), A);
        map.MarkSessionUp(Identity(1), A);
        map.MarkSessionDown(Beacons.Fp(1));

        map.Observe(Beacons.Make(fp: 1, interval: 10, goodbye: true), A).Should().Be(BeaconObservation.Ignored);

        map.Find(Beacons.Fp(1))!.State.Should().Be(LighthousePeerState.Verified);
        _events.Should().NotContain(e => e.Event == "lost");
        _time.Advance(TimeSpan.FromSeconds(31));
        map.Expire().Should().Be(1);
        _events[^1].Event.Should().Be("lost");
    }

    [Fact]
    public void Snapshot_IsOrderedBySectorThenNodeId()
    {
        var map = NewMap();
        map.Observe(Beacons.Make(fp: 1, nodeId: "zed", sector: "b"), A);
        map.Observe(Beacons.Make(fp: 2, nodeId: "amy", sector: "b"), A);
        map.Observe(Beacons.Make(fp: 3, nodeId: "bob", sector: "a"), A);

        map.Snapshot().Select(p => p.NodeId).Should().Equal("bob", "amy", "zed");
    }

    [Fact]
    public void Events_AreRaisedOutsideTheLock()
    {
        var map = new PeerMap(new LighthouseOptions(), _time);
        var otherThreadGotIn = false;
        map.PeerDiscovered += (_, _) =>
        {
            // Another thread can take the map's lock while the handler runs.
            var count = Task.Run(() => map.Count);
            otherThreadGotIn = SpinWait.SpinUntil(() => count.IsCompleted, TimeSpan.FromSeconds(5));
        };

        map.Observe(Beacons.Make(fp: 1), A);

        otherThreadGotIn.Should().BeTrue();
    }

    private static IPAddress Address(int i) => new([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]);

    private static VerifiedPeer Identity(int fp, string nodeId = "node1", int port = 4000) =>
        new(Beacons.Fp(fp), nodeId, NodeLabels.DefaultSector, port);
}
