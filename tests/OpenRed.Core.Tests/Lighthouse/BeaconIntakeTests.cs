using System.Net;
using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Lighthouse;
using OpenRed.Core.Lighthouse.Internal;

namespace OpenRed.Core.Tests.Lighthouse;

public sealed class BeaconIntakeTests
{
    private static readonly IPAddress Source = IPAddress.Parse("192.168.1.10");
    private readonly FakeTimeProvider _time = new();
    // One answer a second (the first edition's rate) keeps the answer timings below easy to follow.
    private readonly LighthouseOptions _options = new() { SolicitAnswerRate = 1, SolicitAnswerBurst = 1 };
    private readonly PeerMap _map;
    private readonly BeaconIntake _intake;

    public BeaconIntakeTests()
    {
        _map = new PeerMap(_options, _time);
        var local = new LighthouseLocalInfo("me", Beacons.Fp(0), "general", 4000, 77);
        _intake = new BeaconIntake(
            local, _options, _map,
            new LinkFilter(() => [new InterfacePrefixes(2, "eth0", false, [(IPAddress.Parse("192.168.1.1"), 24)])], _time, TimeSpan.FromSeconds(10), null),
            new SourceRateLimiter(_options.PerSourceRate, _options.GlobalRate, _options.MaxTrackedSources, _time),
            new SolicitAnswerGate(_options, () => 0.5, _time));
    }

    [Fact]
    public void Handle_OwnBeacon_IsIgnoredAndNotInMap()
    {
        var result = _intake.Handle(BeaconCodec.Encode(Beacons.Make(fp: 0, solicit: true)), Source, 2);

        result.Own.Should().BeTrue();
        result.AnswerAfter.Should().BeNull();
        _map.Count.Should().Be(0);
        _intake.OwnSeen.Should().Be(1);
        _intake.Accepted.Should().Be(0);
    }

    [Fact]
    public void Handle_SolicitFromNewFingerprint_SchedulesAnswer()
    {
        var result = _intake.Handle(BeaconCodec.Encode(Beacons.Make(fp: 1, solicit: true)), Source, 2);
        result.Observation.Should().Be(BeaconObservation.Discovered);
        result.AnswerAfter.Should().Be(TimeSpan.FromMilliseconds(125));
    }

    [Fact]
    public void Handle_SolicitFromKnownPeer_IsNotAnswered()
    {
        _intake.Handle(BeaconCodec.Encode(Beacons.Make(fp: 1, solicit: true)), Source, 2);
        _time.Advance(TimeSpan.FromSeconds(2));

        _intake.Handle(BeaconCodec.Encode(Beacons.Make(fp: 1, solicit: true)), Source, 2).AnswerAfter.Should().BeNull();
    }

    [Fact]
    public void Handle_SolicitFromNewInstance_IsAnswered()
    {
        _intake.Handle(BeaconCodec.Encode(Beacons.Make(fp: 1, instance: 1, solicit: true)), Source, 2);
        _time.Advance(TimeSpan.FromSeconds(2));

        _intake.Handle(BeaconCodec.Encode(Beacons.Make(fp: 1, instance: 2, solicit: true)), Source, 2)
            .AnswerAfter.Should().NotBeNull();
    }

    [Fact]
    public void Handle_ManyNewSolicitors_AtMostOneAnswerPerSecond()
    {
        var sendTimes = new List<DateTimeOffset>();
        for (var i = 1; i <= 50; i++)
        {
            if (_intake.Handle(BeaconCodec.Encode(Beacons.Make(fp: i, solicit: true)), Source, 2).AnswerAfter is { } delay)
            {
                sendTimes.Add(_time.GetUtcNow() + delay);
            }

            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        sendTimes.Zip(sendTimes.Skip(1), (a, b) => b - a).Should().OnlyContain(gap => gap >= TimeSpan.FromSeconds(1));
        sendTimes.Count.Should().BeInRange(4, 6, "five seconds of solicits keep getting an answer about once a second");
    }

    [Fact]
    public void Handle_OrdinaryBeaconFromNewPeer_IsNotAnswered()
    {
        _intake.Handle(BeaconCodec.Encode(Beacons.Make(fp: 1)), Source, 2).AnswerAfter.Should().BeNull();
    }

    [Fact]
    public void Handle_Rejections_AreCountedByReason()
    {
        _intake.Handle("junk!"u8, Source, 2);
        _intake.Handle(new byte[1300], Source, 2);
        _intake.Handle(BeaconCodec.Encode(Beacons.Make(fp: 1, port: 0)), Source, 2);
        _intake.Handle(BeaconCodec.Encode(Beacons.Make(fp: 1)), IPAddress.Parse("8.8.8.8"), 2);

        _intake.Dropped.Snapshot().Should().BeEquivalentTo(new Dictionary<BeaconRejection, long>
        {
            [BeaconRejection.BadMagic] = 1,
            [BeaconRejection.TooLarge] = 1,
            [BeaconRejection.BadPort] = 1,
            [BeaconRejection.NotOnLink] = 1,
        });
        _map.Count.Should().Be(0);
    }

    [Fact]
    public void Handle_FloodFromOneSource_IsRateLimited()
    {
        for (var i = 0; i < 10_000; i++)
        {
            _intake.Handle("junk!"u8, Source, 2);
        }

        _intake.Dropped[BeaconRejection.BadMagic].Should().Be(200);
        _intake.Dropped[BeaconRejection.SourceRateLimited].Should().Be(9800);

        _time.Advance(TimeSpan.FromSeconds(1));
        _intake.Handle(BeaconCodec.Encode(Beacons.Make(fp: 1)), Source, 2).Observation.Should().Be(BeaconObservation.Discovered);
    }
}
