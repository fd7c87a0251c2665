using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;

namespace OpenRed.IntegrationTests.Lab;

/// <summary>
/// Reads a started process's stdout as lines into a queue (and collects stderr, so a chatty process never
/// blocks on a full pipe). Unlike a timed-out StreamReader.ReadLineAsync, a read that times out loses no line.
/// </summary>
public sealed class ProcessLines
{
    private readonly Channel<string> _output = Channel.CreateUnbounded<string>();
    private readonly ConcurrentQueue<string> _error = new();

    private ProcessLines(Process process)
    {
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _output.Writer.TryComplete();
            }
            else
            {
                _output.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _error.Enqueue(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Everything the process wrote to stderr so far.</summary>
    public string StandardError => string.Join('\n', _error);

    /// <summary>Starts reading; call once, before anything else reads the process's stdout or stderr.</summary>
    public static ProcessLines Attach(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        return new ProcessLines(process);
    }

    /// <summary>The next stdout line; null if none comes within <paramref name="timeout"/> or stdout has ended.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await _output.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Skips lines until one matches; throws <see cref="TimeoutException"/> (with the skipped lines) if none does in time.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(match);
        var end = DateTime.UtcNow + timeout;
        var skipped = new List<string>();
        while (true)
        {
            var left = end - DateTime.UtcNow;
            var line = left > TimeSpan.Zero ? await ReadLineAsync(left, cancellationToken) : null;
            if (line is null)
            {
                throw new TimeoutException(
                    $"no matching line within {timeout}; stdout: [{string.Join(" | ", skipped)}]; stderr: [{StandardError}]");
            }

            if (match(line))
            {
                return line;
            }

            skipped.Add(line);
        }
    }
}
