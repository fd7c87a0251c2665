namespace OpenRed.IntegrationTests.Lab;

/// <summary>Tiny python3 programs run inside lab hosts, and process helpers for the smoke tests.</summary>
internal static class LabProbes
{
    public const string MulticastGroup = "239.255.79.82";

    /// <summary>argv: port, group ("-" for none), local address to join on. Prints "ready", then "TEXT SENDER" per datagram.</summary>
    private const string ReceiverSource = """
        import socket, sys
        port, group, local = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", port))
        if group != "-":
            s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(group) + socket.inet_aton(local))
        print("ready", flush=True)
        while True:
            data, addr = s.recvfrom(1500)
            print(data.decode(), addr[0], flush=True)
        """;

    /// <summary>argv: destination, port, text, outgoing interface address ("-" for default).</summary>
    private const string SenderSource = """
        import socket, sys
        dest, port, text, local = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        if local != "-":
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(local))
        s.sendto(text.encode(), (dest, port))
        """;

    /// <summary>argv: destination. Prints the milliseconds a TCP connect to a closed port takes (SYN out, RST back).</summary>
    private const string ConnectTimeSource = """
        import socket, sys, time
        t = time.monotonic()
        try:
            socket.create_connection((sys.argv[1], 9), timeout=5).close()
        except OSError:
            pass
        print(int((time.monotonic() - t) * 1000), flush=True)
        """;

    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    /// <summary>How long a datagram that should not arrive is given to arrive anyway.</summary>
    public static readonly TimeSpan Silence = TimeSpan.FromSeconds(1);

    public static async Task<ProcessLines> StartReceiverAsync(NetworkLab lab, int host, int port, string? group, int leg = 0)
    {
        var local = lab.AddressOf(host, leg).ToString();
        var process = lab.Start(host, "python3", ["-u", "-c", ReceiverSource, port.ToString(), group ?? "-", local]);
        var lines = ProcessLines.Attach(process);
        await lines.WaitForLineAsync(l => l == "ready", WaitLimit, CancellationToken.None);
        return lines;
    }

    public static Task<LabCommandResult> SendAsync(
        NetworkLab lab, int host, string destination, int port, string text, string? local = null) =>
        lab.RunAsync(host, "python3", ["-c", SenderSource, destination, port.ToString(), text, local ?? "-"], WaitLimit, CancellationToken.None);

    public static async Task<int> ConnectTimeMillisecondsAsync(NetworkLab lab, int host, string destination)
    {
        var result = await lab.RunAsync(host, "python3", ["-c", ConnectTimeSource, destination], WaitLimit, CancellationToken.None);
        result.ExitCode.Should().Be(0, result.ToString());
        return int.Parse(result.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Processes carrying the lab's id in their environment, zombies excluded.</summary>
    public static IReadOnlyList<int> ProcessesOf(string labId)
    {
        var marker = System.Text.Encoding.ASCII.GetBytes(NetworkLab.IdVariable + "=" + labId + "\0");
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || !IsAliveProcess(pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllBytes(Path.Combine(dir, "environ")).AsSpan().IndexOf(marker) >= 0)
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // exited meanwhile, or not ours to read
            }
        }

        return found;
    }

    /// <summary>True while pid exists and is not a zombie waiting to be reaped.</summary>
    public static bool IsAliveProcess(int pid)
    {
        try
        {
            return !File.ReadLines($"/proc/{pid}/status").Any(l => l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z', StringComparison.Ordinal));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return;
            }

            await Task.Delay(50);
        }
    }
}
