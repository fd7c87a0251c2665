using System.Diagnostics;
using static OpenRed.IntegrationTests.Lab.LabProbes;

namespace OpenRed.IntegrationTests.Lab;

/// <summary>The lab leaves nothing behind: after dispose, after a failed up, after its owner dies.</summary>
public sealed class LabLifecycleTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [LabFact]
    public async Task Dispose_LeavesNoProcessBehind()
    {
        var lab = await NetworkLab.StartAsync(new LabOptions(Hosts: 2), None);
        int worker;
        IReadOnlyDictionary<string, int> pids;
        try
        {
            worker = lab.Start(2, "sleep", ["300"]).Id;
            pids = await lab.GetLabProcessIdsAsync(None);
            pids.Keys.Should().Contain(["outer", "init", "holder1", "holder2"]);
            pids.Values.Should().OnlyContain(pid => IsAliveProcess(pid));
            ProcessesOf(lab.Id).Should().NotBeEmpty("the scan must see a running lab");
        }
        finally
        {
            await lab.DisposeAsync();
        }

        await WaitUntilAsync(() => pids.Values.Append(worker).All(pid => !IsAliveProcess(pid)), WaitLimit);
        IsAliveProcess(worker).Should().BeFalse();
        pids.Where(p => IsAliveProcess(p.Value)).Should().BeEmpty();
        ProcessesOf(lab.Id).Should().BeEmpty();
        Directory.Exists(lab.StateDirectory).Should().BeFalse();
    }

    [LabFact]
    public async Task FailedUp_TearsDown_LeavesNoProcessBehind()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var directory = Path.Combine(Path.GetTempPath(), "openred-lab-" + id);
        var info = LabScript.StartInfo(["--dir", directory, "up", "--hosts", "3"]);
        info.Environment[NetworkLab.IdVariable] = id;
        info.Environment["OPENRED_LAB_FAIL_AFTER_HOST"] = "2";

        var result = await LabScript.RunAsync(info, TimeSpan.FromSeconds(60), None);

        result.ExitCode.Should().NotBe(0);
        result.StandardError.Should().Contain("tearing down");
        await WaitUntilAsync(() => ProcessesOf(id).Count == 0, WaitLimit);
        ProcessesOf(id).Should().BeEmpty();
        File.Exists(Path.Combine(directory, "state")).Should().BeFalse();
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [LabFact]
    public async Task LabDiesWithItsOwner()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var directory = Path.Combine(Path.GetTempPath(), "openred-lab-" + id);
        using var owner = Process.Start(new ProcessStartInfo("sleep", "300") { UseShellExecute = false })!;
        try
        {
            var info = LabScript.StartInfo(["--dir", directory, "up", "--hosts", "2", "--owner", owner.Id.ToString()]);
            info.Environment[NetworkLab.IdVariable] = id;
            (await LabScript.RunAsync(info, TimeSpan.FromSeconds(60), None)).ExitCode.Should().Be(0);
            ProcessesOf(id).Should().NotBeEmpty();

            owner.Kill();
            await owner.WaitForExitAsync().WaitAsync(WaitLimit);

            await WaitUntilAsync(() => ProcessesOf(id).Count == 0, WaitLimit);
            ProcessesOf(id).Should().BeEmpty("the lab's init exits once its owner is gone");
        }
        finally
        {
            LabScript.KillTree(owner);
            await LabScript.RunAsync(LabScript.StartInfo(["--dir", directory, "down"]), TimeSpan.FromSeconds(60), None);
        }
    }
}
