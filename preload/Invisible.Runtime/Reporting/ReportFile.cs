using System.Runtime.InteropServices;

namespace Invisible.Runtime.Reporting;

/// <summary>A report file written whole or not at all: the bytes go to <c>PATH.PID.tmp</c> beside it,
/// which is renamed over PATH only once every byte is written and the file is closed; on any failure
/// (no space, no descriptor left, no such directory) it is removed and the errno returned, so a
/// truncated file is never passed off as a report. Through libc directly: the errno is the answer
/// (libinvisible.so prints it), and nothing here throws.</summary>
internal static unsafe partial class ReportFile
{
    private const int O_WRONLY = 1, O_CREAT = 0x40, O_TRUNC = 0x200, O_CLOEXEC = 0x80000, EINTR = 4, EIO = 5;

    [LibraryImport("libc.so.6", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);
    [LibraryImport("libc.so.6", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, byte* buffer, nuint count);
    [LibraryImport("libc.so.6", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
    [LibraryImport("libc.so.6", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string from, string to);
    [LibraryImport("libc.so.6", EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Unlink(string path);

    /// <summary>0, or the errno of the first failure (nothing is then left at <paramref name="path"/>).</summary>
    public static int WriteWhole(string path, int pid, byte[] bytes)
    {
        string temporary = path + "." + pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".tmp";
        int fd = Open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0x1a4 /* 0644 */);
        if (fd < 0)
            return Marshal.GetLastPInvokeError();
        int error = WriteAll(fd, bytes);
        if (Close(fd) != 0 && error == 0)
            error = Marshal.GetLastPInvokeError();
        if (error == 0 && Rename(temporary, path) != 0)
            error = Marshal.GetLastPInvokeError();
        if (error != 0)
            Unlink(temporary);
        return error;
    }

    private static int WriteAll(int fd, byte[] bytes)
    {
        fixed (byte* p = bytes)
        {
            long done = 0;
            while (done < bytes.Length)
            {
                nint n = Write(fd, p + done, (nuint)(bytes.Length - done));
                if (n < 0 && Marshal.GetLastPInvokeError() == EINTR)
                    continue;
                if (n <= 0)
                    return n < 0 ? Marshal.GetLastPInvokeError() : EIO;
                done += n;
            }
        }
        return 0;
    }
}
