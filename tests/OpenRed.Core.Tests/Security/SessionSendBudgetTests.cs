using OpenRed.Core.Security.Internal;

namespace OpenRed.Core.Tests.Security;

/// <summary>The byte bound of the send queue: one frame always fits an empty queue, waiters are served in order.</summary>
public sealed class SessionSendBudgetTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public void TryTake_EmptyBudget_AdmitsFrameLargerThanLimit()
    {
        var budget = new SessionSendBudget(100);

        budget.TryTake(1000).Should().BeTrue();
        budget.TryTake(1).Should().BeFalse();
        budget.Release(1000);

        budget.Used.Should().Be(0);
        budget.TryTake(60).Should().BeTrue();
        budget.TryTake(40).Should().BeTrue();
        budget.TryTake(1).Should().BeFalse();
    }

    [Fact]
    public async Task TakeAsync_Full_WaitsForRelease_AndServesInOrder()
    {
        var budget = new SessionSendBudget(100);
        budget.TryTake(60).Should().BeTrue();

        var large = budget.TakeAsync(50, CancellationToken.None).AsTask();
        var small = budget.TakeAsync(10, CancellationToken.None).AsTask();

        // The small one would fit, but it is behind the large one, and so is anyone who tries now.
        large.IsCompleted.Should().BeFalse();
        small.IsCompleted.Should().BeFalse();
        budget.TryTake(10).Should().BeFalse();

        budget.Release(60);

        await large.WaitAsync(Wait);
        await small.WaitAsync(Wait);
        budget.Used.Should().Be(60);
    }

    [Fact]
    public async Task TakeAsync_Cancelled_LeavesTheLineAndTheNextIsServed()
    {
        var budget = new SessionSendBudget(100);
        budget.TryTake(90).Should().BeTrue();
        using var cts = new CancellationTokenSource();

        var blocked = budget.TakeAsync(50, cts.Token).AsTask();
        var next = budget.TakeAsync(10, CancellationToken.None).AsTask();
        next.IsCompleted.Should().BeFalse();
        await cts.CancelAsync();

        await FluentActions.Awaiting(() => blocked.WaitAsync(Wait)).Should().ThrowAsync<OperationCanceledException>();
        await next.WaitAsync(Wait);
        budget.Used.Should().Be(100);
    }

    [Fact]
    public async Task Close_LetsEveryWaiterThrough()
    {
        var budget = new SessionSendBudget(10);
        budget.TryTake(10).Should().BeTrue();
        var waiters = Enumerable.Range(0, 3).Select(_ => budget.TakeAsync(10, CancellationToken.None).AsTask()).ToArray();

        budget.Close();

        await Task.WhenAll(waiters).WaitAsync(Wait);
        budget.TryTake(1000).Should().BeTrue();
    }
}
