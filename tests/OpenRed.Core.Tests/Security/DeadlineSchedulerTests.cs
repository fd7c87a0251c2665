using Microsoft.Extensions.Time.Testing;
using OpenRed.Core.Security.Internal;

namespace OpenRed.Core.Tests.Security;

public sealed class DeadlineSchedulerTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Schedule_ManyDeadlines_EachFiresAtItsTimeInOrder()
    {
        var scheduler = DeadlineScheduler.For(_time);
        var fired = new List<int>();
        foreach (var ms in new[] { 300, 100, 200, 100 })
        {
            scheduler.Schedule(TimeSpan.FromMilliseconds(ms), s => fired.Add((int)s!), ms);
        }

        _time.Advance(TimeSpan.FromMilliseconds(99));
        fired.Should().BeEmpty();
        _time.Advance(TimeSpan.FromMilliseconds(1));
        fired.Should().Equal(100, 100);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        fired.Should().Equal(100, 100, 200, 300);
    }

    [Fact]
    public void Cancel_BeforeDue_NeverFiresAndLeavesTheQueue()
    {
        var scheduler = DeadlineScheduler.For(_time);
        var fired = 0;
        var entries = Enumerable.Range(0, 50).Select(_ => scheduler.Schedule(TimeSpan.FromSeconds(5), _ => fired++, null)).ToList();
        entries.ForEach(e => e.Cancel());
        var kept = scheduler.Schedule(TimeSpan.FromSeconds(10), _ => fired += 100, null);

        _time.Advance(TimeSpan.FromSeconds(10));

        fired.Should().Be(100);
        scheduler.Count.Should().Be(0);
        kept.IsCancelled.Should().BeFalse();
    }

    [Fact]
    public void For_SameTimeProvider_OneScheduler()
    {
        DeadlineScheduler.For(_time).Should().BeSameAs(DeadlineScheduler.For(_time));
        DeadlineScheduler.For(new FakeTimeProvider()).Should().NotBeSameAs(DeadlineScheduler.For(_time));
    }
}
