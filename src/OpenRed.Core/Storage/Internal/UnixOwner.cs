using System.Runtime.InteropServices;

namespace OpenRed.Core.Storage.Internal;

/// <summary>
/// Who owns a file, and who we are. .NET exposes a file's mode but not its owner, so this asks Linux directly
/// through statx(2), whose layout (unlike stat's) is the same on every architecture.
/// </summary>
internal static class UnixOwner
{
    private const int AtFdCwd = -100;
    private const uint StatxUid = 0x8;
    private const int StatxBufferSize = 256;
    private const int StatxUidOffset = 20;

    /// <summary>The effective user id of this process, or null where it cannot be known (Windows, non-Linux, no statx).</summary>
    public static uint? EffectiveUserId()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return geteuid();
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The owner's user id of <paramref name="path"/> (symlinks followed), or null where it cannot be known.</summary>
    public static uint? OwnerOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var buffer = new byte[StatxBufferSize];
        try
        {
            if (statx(AtFdCwd, path, 0, StatxUid, buffer) != 0)
            {
                return null;
            }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }

        // The kernel writes the struct in the machine's byte order.
        return MemoryMarshal.Read<uint>(buffer.AsSpan(StatxUidOffset));
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which OpenRed.Core keeps off; two plain calls need no marshalling.
    [DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
#pragma warning restore SYSLIB1054
}
