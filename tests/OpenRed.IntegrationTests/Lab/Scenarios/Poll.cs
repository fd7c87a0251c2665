using System.Diagnostics;

namespace OpenRed.IntegrationTests.Lab.Scenarios;

/// <summary>Asks a node again and again until its answer satisfies a condition, within a deadline.</summary>
internal static class Poll
{
    public static readonly TimeSpan Every = TimeSpan.FromMilliseconds(100);

    /// <summary>Returns the first answer that satisfies <paramref name="done"/>; throws with the last answer on timeout.</summary>
    public static async Task<T> UntilAsync<T>(
        Func<CancellationToken, Task<T>> ask, Func<T, bool> done, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        while (true)
        {
            var answer = await ask(cancellationToken);
            if (done(answer))
            {
                return answer;
            }

            if (Stopwatch.GetElapsedTime(start) > timeout)
            {
                throw new TimeoutException($"{what}: not within {timeout.TotalSeconds:0.#} s; last answer: {answer}");
            }

            await Task.Delay(Every, cancellationToken);
        }
    }

    /// <summary>Seconds from a <see cref="Stopwatch"/> timestamp to now.</summary>
    public static double SecondsSince(long timestamp) => Stopwatch.GetElapsedTime(timestamp).TotalSeconds;
}
